package lint

import (
	"slices"
	"strings"
	"testing"
)

// anyoneWith is a trust statement allowing AWS "*" under a condition.
func anyoneWith(cond string) string {
	return trustDoc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{` + cond + `}}`)
}

// TestTrustAnyoneConditionsThatMatchEveryone: a condition on a restricting
// key that every request passes restricts no one (issue 14, point 8). Each
// case names the words the TF001 message must hold.
func TestTrustAnyoneConditionsThatMatchEveryone(t *testing.T) {
	cases := []struct {
		name string
		cond string
		want []string // words of the TF001 message; nil for no finding
	}{
		{"StringLike aws:PrincipalArn *", `"StringLike":{"aws:PrincipalArn":"*"}`, []string{`"*" matches every value`}},
		{"StringLike aws:PrincipalAccount *", `"StringLike":{"aws:PrincipalAccount":"*"}`, []string{`"*" matches every value`}},
		{"ArnLike any principal of any account", `"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:*"}`, []string{"any account"}},
		{"ArnEquals takes wildcards too", `"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/Deploy"}`, []string{"any account"}},
		{"StringLike ** ", `"StringLike":{"aws:PrincipalOrgID":"**"}`, []string{"matches every value"}},
		{"a wildcard in an account id", `"StringLike":{"aws:PrincipalAccount":"1111*"}`, []string{"wildcard"}},
		{"a wildcard in an organization id", `"StringLike":{"aws:PrincipalOrgID":"o-*"}`, []string{"wildcard"}},
		{"a wildcard organization path", `"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"*/r-ab12/*"}`, []string{"every organization"}},
		{"one open value among exact ones", `"StringLike":{"aws:PrincipalAccount":["111111111111","*"]}`, []string{`"*" matches every value`}},
		{"StringEqualsIfExists", `"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-abc"}`, []string{"without the key"}},
		{"ForAllValues", `"ForAllValues:StringEquals":{"aws:PrincipalOrgPaths":"o-abc/r-ab12/"}`, []string{"without values"}},
		{"a negated operator", `"StringNotLike":{"aws:PrincipalArn":"arn:aws:iam::222222222222:*"}`, []string{"every value but those listed"}},
		{"a policy variable", `"StringEquals":{"aws:PrincipalAccount":"${aws:PrincipalAccount}"}`, []string{"policy variable"}},
		{"a policy variable in an ARN", `"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:root"}`, []string{"policy variable"}},
		{"every source address", `"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}`, []string{"every address"}},
		{"Null", `"Null":{"aws:PrincipalOrgID":"false"}`, []string{"Null tests only"}},

		{"StringEquals * is the literal *", `"StringEquals":{"aws:PrincipalArn":"*"}`, nil},
		{"StringLike of one account's roles", `"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/*"}`, nil},
		{"StringEquals of an organization", `"StringEquals":{"aws:PrincipalOrgID":"o-abc"}`, nil},
		{"an organization path with a wildcard below the organization", `"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-abc/r-ab12/*"}`, nil},
		{"an open test beside an exact one", `"StringLike":{"aws:PrincipalArn":"*"},"StringEquals":{"aws:PrincipalOrgID":"o-abc"}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tf001 []string
			for _, f := range Check(stack(anyoneWith(c.cond), nil)) {
				if f.ID == "TF001" {
					tf001 = append(tf001, f.Message)
				}
			}
			if c.want == nil {
				if len(tf001) > 0 {
					t.Fatalf("TF001 %q, want none", tf001)
				}
				return
			}
			if len(tf001) != 1 {
				t.Fatalf("TF001 findings %q, want one", tf001)
			}
			for _, w := range append(c.want, "restricts no one") {
				if !strings.Contains(tf001[0], w) {
					t.Errorf("TF001 %q does not say %q", tf001[0], w)
				}
			}
		})
	}
}

// TestConditionKeyUnknown: a condition key no request carries (a homoglyph,
// a misspelt global key) is TF014, with the key it was meant to be.
func TestConditionKeyUnknown(t *testing.T) {
	cases := []struct {
		name, key string
		want      []string // words of the TF014 message; nil for none
	}{
		{"a Cyrillic а", "\u0430ws:PrincipalOrgID", []string{"U+0430", `did you mean "aws:PrincipalOrgID"`}},
		{"a Cyrillic о inside", "aws:PrincipalOrgI\u0414", []string{"U+0414", "not ASCII"}},
		{"a zero-width space", "aws:Principal\u200bOrgID", []string{"U+200B", `did you mean "aws:PrincipalOrgID"`}},
		{"a misspelt global key", "aws:PrincipalOrgIDs", []string{`did you mean "aws:PrincipalOrgID"`}},
		{"an aws key that does not exist", "aws:PrincipalOrganization", []string{"not one of AWS's global condition keys"}},
		{"a global key in another case", "AWS:principalorgid", nil},
		{"a tag key", "aws:PrincipalTag/team", nil},
		{"a service key", "sts:ExternalId", nil},
		{"an OIDC key", "token.actions.githubusercontent.com:sub", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := trustDoc(`{"Effect":"Allow","Principal":{"AWS":"` + devRoot + `"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"` + c.key + `":"x"}}}`)
			var got []string
			for _, f := range Check(stack(doc, nil)) {
				if f.ID == "TF014" {
					got = append(got, f.Message)
				}
			}
			if c.want == nil {
				if len(got) > 0 {
					t.Fatalf("TF014 %q, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("TF014 findings %q, want one", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("TF014 %q does not say %q", got[0], w)
				}
			}
		})
	}
}

func TestConditionKeyUnknownInIdentityPolicies(t *testing.T) {
	cfg := stack(trustDoc(plainTrust), nil)
	cfg.Roles[0].InlinePolicies["s3"] = permDoc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"\u0430ws:PrincipalOrgID":"o-abc"}}}`)
	var ids []string
	for _, f := range Check(cfg) {
		ids = append(ids, f.ID)
	}
	if !slices.Contains(ids, "TF014") {
		t.Errorf("findings %v, want TF014 for the inline policy", ids)
	}
}
