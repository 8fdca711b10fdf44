package policy

import (
	"reflect"
	"testing"
)

// A document Parse remembers comes back whole to every caller, whatever an
// earlier caller did to its copy.
func TestParseMemoGivesEachCallerItsOwnCopy(t *testing.T) {
	const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"*",
		"Principal":{"AWS":["arn:aws:iam::111111111111:root"]},"Condition":{"Bool":{"aws:MultiFactorAuthPresent":["true"]}}}]}`
	first, err := Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	want := first.Clone()
	// Every part a caller could change in place.
	first.Statements[0].Actions[0] = "iam:*"
	first.Statements[0].Principals["AWS"][0] = "*"
	first.Statements[0].Conditions["Bool"]["aws:MultiFactorAuthPresent"][0] = "false"
	first.Statements[0].Conditions["StringEquals"] = map[string][]string{"sts:ExternalId": {"x"}}
	first.Statements = append(first.Statements, Statement{Effect: "Deny"})
	for i := range 2 {
		again, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again, want) {
			t.Fatalf("parse %d after a caller changed its copy:\n%+v\nwant\n%+v", i+2, again, want)
		}
		again.Statements[0].Resources[0] = "arn:aws:s3:::changed"
	}
}

func TestParseMemoKeepsErrors(t *testing.T) {
	for range 2 {
		if _, err := Parse(`{"Statement": 3}`); err == nil {
			t.Fatal("an invalid document parsed without error")
		}
	}
}

// Parse and ParseStrict disagree on a character IAM's write APIs refuse;
// each remembers its own answer.
func TestParseMemoStrictApart(t *testing.T) {
	const text = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/` + "\u0100" + `"}]}`
	for range 2 {
		if _, err := Parse(text); err != nil {
			t.Fatalf("Parse: %v", err)
		}
		if _, err := ParseStrict(text); err == nil {
			t.Fatal("ParseStrict took a character outside IAM's PolicyDocument pattern")
		}
	}
}
