package local

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/policy"
)

func TestAWSManagedPolicy(t *testing.T) {
	tests := []struct {
		name   string
		arn    string
		ok     bool
		checks func(t *testing.T, d policy.Document)
	}{
		{"AdministratorAccess", adminARN, true, func(t *testing.T, d policy.Document) {
			if len(d.Statements) != 1 || !slices.Equal(d.Statements[0].Actions, []string{"*"}) || !slices.Equal(d.Statements[0].Resources, []string{"*"}) {
				t.Errorf("got %+v", d)
			}
		}},
		{"PowerUserAccess", powerARN, true, func(t *testing.T, d policy.Document) {
			if len(d.Statements) != 2 || !slices.Equal(d.Statements[0].NotActions, []string{"iam:*", "organizations:*", "account:*"}) {
				t.Errorf("first statement = %+v", d.Statements[0])
			}
			if len(d.Statements) == 2 && !slices.Contains(d.Statements[1].Actions, "iam:CreateServiceLinkedRole") {
				t.Errorf("second statement = %+v", d.Statements[1])
			}
		}},
		{"ReadOnlyAccess", readOnlyARN, true, func(t *testing.T, d policy.Document) {
			n := 0
			for _, s := range d.Statements {
				n += len(s.Actions)
				if s.Effect != "Allow" {
					t.Errorf("statement %s is %s", s.Sid, s.Effect)
				}
			}
			// The real document lists thousands of read actions.
			if n < 1000 {
				t.Errorf("ReadOnlyAccess has only %d actions", n)
			}
		}},
		{"job-function path", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", true, nil},
		{"other partition", "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", true, nil},
		{"job-function policy without its path", "arn:aws:iam::aws:policy/ViewOnlyAccess", false, nil},
		{"unknown policy", "arn:aws:iam::aws:policy/NoSuchAccess", false, nil},
		{"customer policy", "arn:aws:iam::111111111111:policy/AdministratorAccess", false, nil},
		{"unknown partition", "arn:mars:iam::aws:policy/AdministratorAccess", false, nil},
		{"not an ARN", "AdministratorAccess", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, ok := AWSManagedPolicy(tt.arn)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			d, err := policy.Parse(doc)
			if err != nil {
				t.Fatal(err)
			}
			if tt.checks != nil {
				tt.checks(t, d)
			}
		})
	}
}

// TestAWSManagedPoliciesAreValid holds the simulation's own grammar checks
// against documents AWS wrote: a check that refuses one of them is wrong.
func TestAWSManagedPoliciesAreValid(t *testing.T) {
	for _, arn := range AWSManagedPolicyARNs("aws") {
		name := arn[strings.LastIndex(arn, "/")+1:]
		t.Run(name, func(t *testing.T) {
			doc, _ := AWSManagedPolicy(arn)
			if err := validateIdentityDocument("test", doc); err != nil {
				t.Error(err)
			}
		})
	}
}
