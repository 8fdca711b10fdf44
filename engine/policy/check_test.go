package policy

import (
	"errors"
	"strings"
	"testing"
)

// TestDuplicateKeys: a key named twice in one object, at any level, is an
// error naming the key and where the second one is (issue 14). A decoder
// keeping the last value made a plan show "Allow" for the text with both.
func TestDuplicateKeys(t *testing.T) {
	tests := []struct {
		name, doc, key, path string
		line, col            int
	}{
		{"top level", `{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}`, "Version", "", 1, 25},
		{"Effect twice", `{"Statement":[{"Effect":"Deny","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "Effect", "Statement[1]", 1, 32},
		{"second Condition", "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":\"*\",\n" +
			"  \"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}},\n  \"Condition\":{}}]}", "Condition", "Statement[1]", 3, 3},
		{"in a condition operator", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"a:b":"1","a:b":"2"}}}}`,
			"a:b", "Statement.Condition.StringEquals", 1, 102},
		{"in a principal", `{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"1","AWS":"*"}}]}`, "AWS", "Statement[1].Principal", 1, 82},
		{"in the second statement", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Action":"*","Resource":"*"}]}`,
			"Action", "Statement[2]", 1, 99},
		{"escaped spelling of the same key", `{"Statement":[{"Effect":"Deny","\u0045ffect":"Allow","Action":"s3:*","Resource":"*"}]}`, "Effect", "Statement[1]", 1, 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, parse := range []func(string) (Document, error){Parse, ParseStrict} {
				_, err := parse(tt.doc)
				var dup *DuplicateKeyError
				if !errors.As(err, &dup) {
					t.Fatalf("error = %v; want a DuplicateKeyError", err)
				}
				if dup.Key != tt.key || dup.Path != tt.path || dup.Line != tt.line || dup.Column != tt.col {
					t.Errorf("got key %q in %q at %d:%d; want %q in %q at %d:%d", dup.Key, dup.Path, dup.Line, dup.Column, tt.key, tt.path, tt.line, tt.col)
				}
				if !strings.Contains(err.Error(), `"`+tt.key+`"`) {
					t.Errorf("message %q does not name the key", err)
				}
			}
		})
	}
	// Keys that differ only in case are two keys to JSON (and "effect" is
	// then an unknown element).
	if _, err := Parse(`{"Statement":[{"Effect":"Allow","effect":"Deny","Action":"s3:*"}]}`); err == nil || errors.As(err, new(*DuplicateKeyError)) {
		t.Errorf("keys differing in case: error = %v; want an unknown element", err)
	}
}

// TestNesting: nesting beyond MaxDepth is refused before it costs memory or
// stack, at any depth asked for.
func TestNesting(t *testing.T) {
	for _, n := range []int{MaxDepth + 1, 10_000, 1_000_000} {
		doc := `{"Statement":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
		_, err := Parse(doc)
		if err == nil || !strings.Contains(err.Error(), "nested more than") {
			t.Errorf("depth %d: error = %v; want nesting refused", n, err)
		}
		obj := strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
		if _, err := Parse(obj); err == nil || !strings.Contains(err.Error(), "nested more than") {
			t.Errorf("object depth %d: error = %v; want nesting refused", n, err)
		}
	}
	// The deepest document the grammar allows parses.
	deep := `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":["a","b"]}}}]}`
	if _, err := Parse(deep); err != nil {
		t.Errorf("a condition list: %v", err)
	}
}

// TestParseStrict: what IAM's write APIs refuse that its read APIs return
// (a percent-encoded document) or that its PolicyDocument pattern refuses.
func TestParseStrict(t *testing.T) {
	ok := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::café/*"}]}`
	if _, err := ParseStrict(ok); err != nil {
		t.Fatalf("Latin-1 refused: %v", err)
	}
	tests := []struct{ name, doc, want string }{
		{"percent-encoded", `%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D`, "percent-encoded"},
		{"zero-width space in an ARN", strings.Replace(ok, "café", "app\u200b", 1), "U+200B"},
		{"zero-width space as an escape", strings.Replace(ok, "café", `app\u200b`, 1), "U+200B"},
		{"right-to-left override in a Sid", `{"Statement":[{"Sid":"a` + "\u202e" + `","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "U+202E"},
		{"emoji in a key", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:🚀":"x"}}}]}`, "U+1F680"},
		{"NUL as an escape", strings.Replace(ok, "café", `a\u0000`, 1), "U+0000"},
		{"a second document after the first", ok + ok, "continues after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseStrict(tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v; want it to mention %q", err, tt.want)
			}
		})
	}
	// Parse keeps reading what IAM's read APIs return.
	if _, err := Parse(tests[0].doc); err != nil {
		t.Errorf("Parse of a percent-encoded document: %v", err)
	}
}

// TestCheck: each rule of IAM's grammar and element reference that Parse
// alone lets through (issue 14), for identity and trust policies.
func TestCheck(t *testing.T) {
	stmts := func(s ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(s, ",") + `]}`
	}
	tests := []struct {
		name string
		kind Kind
		doc  string
		want []Rule
	}{
		{"valid identity policy", Identity, stmts(`{"Sid":"Read1","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::app/*"}`), nil},
		{"valid trust policy", Trust, stmts(`{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::111111111111:role/path/R","*"],"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}`), nil},
		{"federated principal", Trust, stmts(`{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`), nil},
		{"no statements", Identity, `{"Version":"2012-10-17","Statement":[]}`, []Rule{NoStatements}},
		{"null statements", Trust, `{"Version":"2012-10-17","Statement":null}`, []Rule{NoStatements}},
		{"no Resource", Identity, stmts(`{"Effect":"Allow","Action":"s3:GetObject"}`), []Rule{NoResource}},
		{"NotResource is enough", Identity, stmts(`{"Effect":"Deny","Action":"s3:*","NotResource":"arn:aws:s3:::app/*"}`), nil},
		{"action without prefix", Identity, stmts(`{"Effect":"Allow","Action":"GetObject","Resource":"*"}`), []Rule{BadAction}},
		{"NotAction without prefix", Identity, stmts(`{"Effect":"Allow","NotAction":["s3:*","Delete*"],"Resource":"*"}`), []Rule{BadAction}},
		{"empty Action", Identity, stmts(`{"Effect":"Allow","Action":[],"Resource":"*"}`), []Rule{EmptyActionSet}},
		{"sid with a space and a bang", Identity, stmts(`{"Sid":"read all!","Effect":"Allow","Action":"s3:*","Resource":"*"}`), []Rule{BadSid}},
		{"sid with a non-ASCII letter", Identity, stmts(`{"Sid":"Lesezugriffé","Effect":"Allow","Action":"s3:*","Resource":"*"}`), []Rule{BadSid}},
		{"two statements, one sid", Identity, stmts(`{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}`, `{"Sid":"A","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}`), []Rule{DuplicateSid}},
		{"sids differing in case", Identity, stmts(`{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}`, `{"Sid":"a","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}`), nil},
		{"resource not an ARN", Identity, stmts(`{"Effect":"Allow","Action":"s3:*","Resource":"not-an-arn"}`), []Rule{BadResource}},
		{"resource with too few fields", Identity, stmts(`{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:bucket"}`), []Rule{BadResource}},
		{"resource with a policy variable default", Identity, stmts(`{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username, 'x'}/*"}`), nil},
		{"trust with only NotPrincipal", Trust, stmts(`{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}`), []Rule{NoPrincipal}},
		{"wildcard account in a principal ARN", Trust, stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::*:root"},"Action":"sts:AssumeRole"}`), []Rule{BadPrincipal}},
		{"wildcard role name in a principal ARN", Trust, stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/*"},"Action":"sts:AssumeRole"}`), []Rule{BadPrincipal}},
		{"group as principal", Trust, stmts(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:group/G"},"Action":"sts:AssumeRole"}`), []Rule{BadPrincipal}},
		{"trust with a Resource", Trust, stmts(`{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole","Resource":"*"}`), []Rule{TrustResource}},
		{"trust with an S3 action", Trust, stmts(`{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject"}`), []Rule{TrustNonSTS}},
		{"every problem reported", Identity, stmts(`{"Sid":"x y","Effect":"Allow","Action":"GetObject"}`, `{"Sid":"x y","Effect":"Allow","Action":"s3:*","Resource":"bucket"}`),
			[]Rule{BadSid, BadAction, NoResource, BadSid, DuplicateSid, BadResource}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseStrict(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			var got []Rule
			for _, p := range d.Check(tt.kind) {
				got = append(got, p.Rule)
				if p.Detail == "" {
					t.Errorf("rule %d without detail", p.Rule)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("rules = %v; want %v (%v)", got, tt.want, d.Check(tt.kind))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("rules = %v; want %v (%v)", got, tt.want, d.Check(tt.kind))
				}
			}
		})
	}
}
