package policy

import (
	"strings"
	"testing"
)

// The rewrites that cause perpetual diffs in tools that compare documents as
// text: each pair must compare equal.
func TestEquivalentRewrites(t *testing.T) {
	tests := []struct {
		name string
		a, b string
	}{
		{"statement order",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
		{"string vs one-element list",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::999999999999:role/UpdateApp"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole"],"Resource":["arn:aws:iam::999999999999:role/UpdateApp"]}]}`},
		{"statement object vs list",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
		{"action case",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"STS:assumerole","Resource":"*"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`},
		{"action list order and duplicates",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:GetObject"],"Resource":"*"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"*"}]}`},
		{"bare account id vs root ARN",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root"]},"Action":"sts:AssumeRole"}]}`},
		{"root ARN in another partition",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`},
		{"condition values as sets, boolean as string",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true},"StringEquals":{"sts:ExternalId":["b","a"]}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["a","b"]},"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`},
		{"URL-encoded as IAM returns it",
			`%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
		{"wildcard principal forms",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`},
		{"URL-encoded with a literal plus",
			`%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%22%7D%5D%7D`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a+b"}]}`},
		{"whitespace",
			"{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ { \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\" } ]\n}",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !Equivalent(tt.a, tt.b) {
				da, _ := Parse(tt.a)
				db, _ := Parse(tt.b)
				t.Fatalf("not equivalent:\n%s\n%s", da.CanonicalJSON(), db.CanonicalJSON())
			}
		})
	}
}

// Differences that change what a policy allows must survive canonicalisation.
func TestRealDifferences(t *testing.T) {
	base := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
	tests := []struct {
		name, other string
	}{
		{"effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`},
		{"resource case matters", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::Bucket/*"}]}`},
		{"extra action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket/*"}]}`},
		{"NotAction is not Action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`},
		{"version", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if Equivalent(base, tt.other) {
				t.Fatalf("documents that differ compared equal:\n%s\n%s", base, tt.other)
			}
		})
	}
}

// TestParseValues pins how values IAM's grammar leaves open are read:
// numbers in conditions as written, null as no statements, a single
// statement without a list, a percent-encoded document with a literal "+".
func TestParseValues(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"numbers as written", `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"NumericLessThan":{"k":[1.50,2e3]},"Bool":{"b":true}}}}`,
			`{"Statement":[{"Action":["*"],"Condition":{"Bool":{"b":["true"]},"NumericLessThan":{"k":["1.50","2e3"]}},"Effect":"Allow"}]}`},
		{"null statement list", `{"Version":"2012-10-17","Statement":null}`, `{"Statement":[],"Version":"2012-10-17"}`},
		{"url-encoded", `%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Deny%22%2C%22NotAction%22%3A%22a%2Bb%22%7D%5D%7D`,
			`{"Statement":[{"Effect":"Deny","NotAction":["a+b"]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if got := d.JSON(); got != tt.want {
				t.Fatalf("Parse(%s).JSON() =\n%s\nwant\n%s", tt.doc, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"not JSON", `{`, "not a JSON object"},
		{"no statement", `{"Version":"2012-10-17"}`, "no Statement"},
		{"bad version", `{"Version":"2020-01-01","Statement":[]}`, "not a policy language version"},
		{"bad effect", `{"Statement":[{"Effect":"Maybe","Action":"*"}]}`, `Effect must be "Allow" or "Deny"`},
		{"action and notaction", `{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*"}]}`, "exactly one of Action or NotAction"},
		{"unknown element", `{"Statement":[{"Effect":"Allow","Action":"*","Resources":"*"}]}`, `unknown statement element "Resources"`},
		{"string principal", `{"Statement":[{"Effect":"Allow","Action":"*","Principal":"111111111111"}]}`, `a string principal must be "*"`},
		{"unknown principal type", `{"Statement":[{"Effect":"Allow","Action":"*","Principal":{"User":"x"}}]}`, "unknown principal type"},
		{"array document", `[{"Statement":[]}]`, "not a JSON object: it is an array"},
		{"number sid", `{"Statement":[{"Sid":1,"Effect":"Allow","Action":"*"}]}`, "Sid: must be a string, not a number"},
		{"object version", `{"Version":{},"Statement":[]}`, "Version must be a string"},
		{"number in action list", `{"Statement":[{"Effect":"Allow","Action":["s3:*",3]}]}`, "Action: must be a string or a list of strings"},
		{"null statement in list", `{"Statement":[null]}`, "statement 1: missing Effect"},
		{"list condition value", `{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Bool":{"k":[[true]]}}}]}`, "condition values must be strings, numbers or booleans"},
		{"condition keys not an object", `{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"Bool":"x"}}]}`, "must be an object of operators to objects of keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.doc)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse(%s) error = %v, want it to mention %q", tt.doc, err, tt.want)
			}
		})
	}
}

func TestSizeIgnoresWhitespaceOutsideStrings(t *testing.T) {
	compact := `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"a b"}]}`
	spaced := "{ \"Statement\" : [ {\n \"Effect\": \"Allow\",\n \"Action\": \"s3:*\", \"Resource\": \"a b\" } ] }"
	if got, want := Size(spaced), len(compact); got != want {
		t.Fatalf("Size = %d, want %d", got, want)
	}
}

func TestBuiltDocumentRoundTrips(t *testing.T) {
	d := Document{Version: Version, Statements: []Statement{{
		Effect: "Allow", Actions: []string{"sts:AssumeRole"},
		Principals: map[string][]string{"AWS": {"arn:aws:iam::111111111111:root"}},
		Conditions: map[string]map[string][]string{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}},
	}}}
	back, err := Parse(d.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if back.CanonicalJSON() != d.CanonicalJSON() {
		t.Fatalf("round trip changed the document:\n%s\n%s", d.CanonicalJSON(), back.CanonicalJSON())
	}
}

// FuzzCanonical checks that canonicalisation never panics, that its output
// parses, and that it is idempotent.
func FuzzCanonical(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	f.Add(`{"Statement":{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"x","Principal":"*","Condition":{"Bool":{"aws:SecureTransport":false}}}}`)
	f.Add(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::111111111111:root"]},"Action":"sts:AssumeRole"}]}`)
	// Duplicate keys at each level, and nesting around and far beyond
	// MaxDepth (issue 14).
	f.Add(`{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}`)
	f.Add(`{"Statement":[{"Effect":"Deny","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	f.Add(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}},"Condition":{}}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"a:b":"1","a:b":"2"}}}}`)
	f.Add(`{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"AWS":"1","AWS":"*"}}]}`)
	f.Add(`{"Statement":[{"Effect":"Deny","\u0045ffect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	f.Add(`{"Statement":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`)
	f.Add(`{"Statement":` + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1) + `}`)
	f.Add(`{"Statement":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`)
	f.Add(strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000))
	f.Add(`%7B%22Statement%22%3A%5B%5D%7D`)
	f.Fuzz(func(t *testing.T, doc string) {
		if _, err := ParseStrict(doc); err == nil {
			if _, err := Parse(doc); err != nil {
				t.Fatalf("ParseStrict accepts what Parse refuses: %v", err)
			}
		}
		d, err := Parse(doc)
		if err != nil {
			return
		}
		once := d.CanonicalJSON()
		again, err := Parse(once)
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, once)
		}
		if twice := again.CanonicalJSON(); twice != once {
			t.Fatalf("canonicalisation is not idempotent:\n%s\n%s", once, twice)
		}
	})
}
