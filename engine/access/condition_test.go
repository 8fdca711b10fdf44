package access

import (
	"strings"
	"testing"
)

func TestEvalConditions(t *testing.T) {
	type conds = map[string]map[string][]string
	tests := []struct {
		name  string
		conds conds
		ctx   reqCtx
		want  bool
	}{
		// Absent keys, as the Condition operators page documents them.
		{"positive on absent key", conds{"StringEquals": {"k": {"v"}}}, nil, false},
		{"negated on absent key", conds{"StringNotEquals": {"k": {"v"}}}, nil, true},
		{"IfExists on absent key", conds{"StringEqualsIfExists": {"k": {"v"}}}, nil, true},
		{"negated IfExists on absent key", conds{"StringNotEqualsIfExists": {"k": {"v"}}}, nil, true},
		{"ForAllValues on absent key", conds{"ForAllValues:StringEquals": {"k": {"v"}}}, nil, true},
		{"ForAnyValue on absent key", conds{"ForAnyValue:StringEquals": {"k": {"v"}}}, nil, false},
		{"ForAllValues on empty set", conds{"ForAllValues:StringEquals": {"k": {"v"}}}, reqCtx{"k": {}}, true},
		{"Null true on absent key", conds{"Null": {"k": {"true"}}}, nil, true},
		{"Null false on absent key", conds{"Null": {"k": {"false"}}}, nil, false},
		{"Null false on present key", conds{"Null": {"k": {"false"}}}, reqCtx{"k": {"x"}}, true},
		{"NullIfExists is not an operator", conds{"NullIfExists": {"k": {"true"}}}, nil, false},
		// Strings.
		{"StringEquals", conds{"StringEquals": {"k": {"a", "b"}}}, reqCtx{"k": {"b"}}, true},
		{"StringEquals keeps wildcards literal", conds{"StringEquals": {"k": {"a*"}}}, reqCtx{"k": {"ab"}}, false},
		{"StringEqualsIgnoreCase", conds{"StringEqualsIgnoreCase": {"k": {"ABC"}}}, reqCtx{"k": {"abc"}}, true},
		{"StringNotEquals multi", conds{"StringNotEquals": {"k": {"a", "b"}}}, reqCtx{"k": {"c"}}, true},
		{"StringNotEquals hit", conds{"StringNotEquals": {"k": {"a", "b"}}}, reqCtx{"k": {"a"}}, false},
		{"StringLike", conds{"StringLike": {"k": {"home/*"}}}, reqCtx{"k": {"home/x/y"}}, true},
		{"StringNotLike", conds{"StringNotLike": {"k": {"home/*"}}}, reqCtx{"k": {"home/x/y"}}, false},
		{"variable in value", conds{"StringEquals": {"k": {"${aws:username}"}}}, reqCtx{"k": {"David"}, "aws:username": {"David"}}, true},
		{"unresolved variable never matches", conds{"StringEquals": {"k": {"${aws:username}"}}}, reqCtx{"k": {""}}, false},
		{"operator name ignores case", conds{"stringequals": {"k": {"v"}}}, reqCtx{"k": {"v"}}, true},
		{"key ignores case", conds{"StringEquals": {"AWS:SourceVpc": {"v"}}}, reqCtx{"aws:sourcevpc": {"v"}}, true},
		// Several keys and operators all hold.
		{"AND across keys", conds{"StringEquals": {"a": {"1"}, "b": {"2"}}}, reqCtx{"a": {"1"}, "b": {"3"}}, false},
		{"AND across operators", conds{"StringEquals": {"a": {"1"}}, "Bool": {"b": {"true"}}}, reqCtx{"a": {"1"}, "b": {"true"}}, true},
		// Numbers and dates.
		{"NumericLessThan", conds{"NumericLessThan": {"k": {"3600"}}}, reqCtx{"k": {"3599.5"}}, true},
		{"NumericGreaterThanEquals", conds{"NumericGreaterThanEquals": {"k": {"10"}}}, reqCtx{"k": {"10"}}, true},
		{"Numeric on text", conds{"NumericEquals": {"k": {"10"}}}, reqCtx{"k": {"ten"}}, false},
		// A value not of the operator's type matches no test, negated ones
		// included (see evalOne: AWS is silent, the simulator rejects it).
		{"NumericNotEquals on text", conds{"NumericNotEquals": {"k": {"10"}}}, reqCtx{"k": {"ten"}}, false},
		{"DateNotEquals on text", conds{"DateNotEquals": {"k": {"2020-01-01"}}}, reqCtx{"k": {"not-a-date"}}, false},
		{"NotIpAddress on text", conds{"NotIpAddress": {"k": {"10.0.0.0/8"}}}, reqCtx{"k": {"hello"}}, false},
		{"ArnNotLike on text", conds{"ArnNotLike": {"k": {"arn:aws:iam::*:role/*"}}}, reqCtx{"k": {"not-an-arn"}}, false},
		{"NotIpAddress on an address outside", conds{"NotIpAddress": {"k": {"10.0.0.0/8"}}}, reqCtx{"k": {"192.0.2.1"}}, true},
		{"StringNotEquals on any text", conds{"StringNotEquals": {"k": {"10"}}}, reqCtx{"k": {"ten"}}, true},
		// Null with a qualifier: "always true" with ForAllValues, "always
		// false" with ForAnyValue (Access Analyzer, Null with qualifier).
		{"ForAllValues:Null true with the key present", conds{"ForAllValues:Null": {"k": {"true"}}}, reqCtx{"k": {"v"}}, true},
		{"ForAllValues:Null false with the key absent", conds{"ForAllValues:Null": {"k": {"false"}}}, reqCtx{}, true},
		{"ForAnyValue:Null true with the key absent", conds{"ForAnyValue:Null": {"k": {"true"}}}, reqCtx{}, false},
		{"ForAnyValue:Null false with the key present", conds{"ForAnyValue:Null": {"k": {"false"}}}, reqCtx{"k": {"v"}}, false},
		{"DateGreaterThan ISO", conds{"DateGreaterThan": {"k": {"2020-01-01T00:00:01Z"}}}, reqCtx{"k": {"2021-06-01T00:00:00Z"}}, true},
		{"DateLessThan epoch vs ISO", conds{"DateLessThan": {"k": {"2020-01-01"}}}, reqCtx{"k": {"1500000000"}}, true},
		{"DateEquals with offset", conds{"DateEquals": {"k": {"2020-01-01T01:00:00+01:00"}}}, reqCtx{"k": {"2020-01-01T00:00:00Z"}}, true},
		{"Date on text", conds{"DateEquals": {"k": {"2020-01-01"}}}, reqCtx{"k": {"yesterday"}}, false},
		// Booleans, addresses, binary.
		{"Bool", conds{"Bool": {"k": {"true"}}}, reqCtx{"k": {"TRUE"}}, true},
		{"Bool false", conds{"Bool": {"k": {"true"}}}, reqCtx{"k": {"false"}}, false},
		{"IpAddress v4", conds{"IpAddress": {"k": {"10.0.0.0/8"}}}, reqCtx{"k": {"10.1.2.3"}}, true},
		{"IpAddress v6", conds{"IpAddress": {"k": {"2001:DB8::/32"}}}, reqCtx{"k": {"2001:db8::5"}}, true},
		{"IpAddress v4 against v6 block", conds{"IpAddress": {"k": {"2001:DB8::/32"}}}, reqCtx{"k": {"10.1.2.3"}}, false},
		{"NotIpAddress", conds{"NotIpAddress": {"k": {"10.0.0.0/8"}}}, reqCtx{"k": {"192.0.2.1"}}, true},
		{"IpAddress on text", conds{"IpAddress": {"k": {"10.0.0.0/8"}}}, reqCtx{"k": {"nowhere"}}, false},
		{"BinaryEquals", conds{"BinaryEquals": {"k": {"QmluYXJ5"}}}, reqCtx{"k": {"QmluYXJ5"}}, true},
		// Set qualifiers.
		{"ForAnyValue hit", conds{"ForAnyValue:StringEquals": {"k": {"a"}}}, reqCtx{"k": {"x", "a"}}, true},
		{"ForAllValues miss", conds{"ForAllValues:StringEquals": {"k": {"a"}}}, reqCtx{"k": {"x", "a"}}, false},
		{"ForAllValues negated", conds{"ForAllValues:StringNotLike": {"k": {"secret*"}}}, reqCtx{"k": {"x", "y"}}, true},
		{"ForAnyValue negated", conds{"ForAnyValue:StringNotEquals": {"k": {"a"}}}, reqCtx{"k": {"a"}}, false},
		{"ForAnyValue IfExists absent", conds{"ForAnyValue:StringEqualsIfExists": {"k": {"a"}}}, nil, true},
		{"unqualified multi-valued any-of", conds{"StringEquals": {"k": {"a"}}}, reqCtx{"k": {"x", "a"}}, true},
		// Unknown operators.
		{"unknown operator", conds{"StringSounds": {"k": {"v"}}}, reqCtx{"k": {"v"}}, false},
		{"unknown qualifier", conds{"ForSomeValues:StringEquals": {"k": {"v"}}}, reqCtx{"k": {"v"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := reqCtx{}
			for k, v := range tt.ctx {
				ctx[strings.ToLower(k)] = v
			}
			got := evalConditions(tt.conds, ctx, true)
			if got.ok != tt.want {
				t.Errorf("evalConditions(%v) with %v = %v (%s), want %v", tt.conds, tt.ctx, got.ok, got.failed, tt.want)
			}
		})
	}
}

func TestParseOperator(t *testing.T) {
	tests := []struct {
		name, in, qualifier, base string
		ifExists, ok              bool
	}{
		{"plain", "StringEquals", "", "StringEquals", false, true},
		{"if exists", "ArnLikeIfExists", "", "ArnLike", true, true},
		{"qualified", "ForAllValues:StringLike", "ForAllValues", "StringLike", false, true},
		{"qualified if exists", "ForAnyValue:NumericLessThanIfExists", "ForAnyValue", "NumericLessThan", true, true},
		{"null", "Null", "", "Null", false, true},
		{"unknown", "Sometimes", "", "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, _, ok := parseOperator(tt.in)
			if ok != tt.ok || (ok && (op.qualifier != tt.qualifier || op.base != tt.base || op.ifExists != tt.ifExists)) {
				t.Errorf("parseOperator(%q) = %+v, %v", tt.in, op, ok)
			}
		})
	}
}

func TestSatisfyAndFalsify(t *testing.T) {
	type conds = map[string]map[string][]string
	tests := []struct {
		name  string
		conds conds
		deny  bool // falsify a deny's conditions instead of satisfying an allow's
	}{
		{"bool", conds{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}}, false},
		{"numeric less than", conds{"NumericLessThan": {"aws:MultiFactorAuthAge": {"3600"}}}, false},
		{"numeric greater than", conds{"NumericGreaterThan": {"k": {"5"}}}, false},
		{"date", conds{"DateLessThan": {"aws:CurrentTime": {"2030-01-01T00:00:00Z"}}}, false},
		{"like", conds{"StringLike": {"sts:ExternalId": {"abc-*-?"}}}, false},
		{"arn like", conds{"ArnLike": {"aws:SourceArn": {"arn:aws:sns:*:111111111111:topic"}}}, false},
		{"ip", conds{"IpAddress": {"aws:SourceIp": {"203.0.113.0/24"}}}, false},
		{"null false", conds{"Null": {"aws:TokenIssueTime": {"false"}}}, false},
		{"two keys", conds{"StringEquals": {"sts:ExternalId": {"x"}}, "Bool": {"aws:MultiFactorAuthPresent": {"true"}}}, false},
		{"deny if no mfa", conds{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"false"}}}, true},
		{"deny unless ip", conds{"NotIpAddress": {"aws:SourceIp": {"203.0.113.0/24"}}}, true},
		{"deny if absent", conds{"Null": {"aws:MultiFactorAuthAge": {"true"}}}, true},
		{"deny if old", conds{"NumericGreaterThanIfExists": {"aws:MultiFactorAuthAge": {"3600"}}}, true},
		{"deny unless listed", conds{"ForAllValues:StringNotEquals": {"aws:TagKeys": {"env"}}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			candidates := []map[string][]string{satisfy(tt.conds)}
			if tt.deny {
				candidates = falsify(tt.conds)
			}
			if len(candidates) == 0 {
				t.Fatal("no candidate context")
			}
			for _, m := range candidates {
				ctx := reqCtx{}
				for k, v := range m {
					ctx[strings.ToLower(k)] = v
				}
				if got := evalConditions(tt.conds, ctx, true).ok; got == tt.deny {
					t.Errorf("context %v: conditions hold = %v, want %v", m, got, !tt.deny)
				}
			}
		})
	}
}
