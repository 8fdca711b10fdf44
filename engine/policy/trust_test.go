package policy

import (
	"reflect"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

func TestReadTrust(t *testing.T) {
	d, err := Parse(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::222222222222:root", "111111111111", "111111111111"], "Service": "ec2.amazonaws.com"},
		 "Action": "sts:AssumeRole",
		 "Condition": {"Bool": {"AWS:MultiFactorAuthPresent": "TRUE"}, "StringEquals": {"sts:ExternalId": ["b", "a", "b"]}}},
		{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWith*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	got := ReadTrust(d)
	if len(got) != 2 {
		t.Fatalf("%d statements, want 2", len(got))
	}
	first := got[0]
	want := []TrustedPrincipal{
		{"AWS", "111111111111", model.Principal{Kind: model.PrincipalRoot, Account: "111111111111"}},
		{"AWS", "arn:aws:iam::222222222222:root", model.Principal{Kind: model.PrincipalRoot, Partition: "aws", Account: "222222222222"}},
		{"Service", "ec2.amazonaws.com", model.Principal{Kind: model.PrincipalService, Name: "ec2.amazonaws.com"}},
	}
	if !reflect.DeepEqual(first.Trusted, want) {
		t.Errorf("trusted %+v, want %+v", first.Trusted, want)
	}
	if !first.MFA || !reflect.DeepEqual(first.ExternalIDs, []string{"a", "b"}) || first.OtherConditions {
		t.Errorf("MFA %v, ExternalIDs %q, other %v; want true, [a b], false", first.MFA, first.ExternalIDs, first.OtherConditions)
	}
	second := got[1]
	if len(second.Trusted) != 1 || second.Trusted[0].Principal.Kind != model.PrincipalAnyone || !second.OtherConditions {
		t.Errorf("second statement %+v", second)
	}
	// "*" calls sts:AssumeRole, which sts:AssumeRoleWith* does not cover.
	if second.Admits(second.Trusted[0]) {
		t.Error(`sts:AssumeRoleWith* admits "*"`)
	}
}

func TestAssumeAction(t *testing.T) {
	for value, want := range map[string]string{
		"arn:aws:iam::111111111111:saml-provider/Okta":                                ActionAssumeRoleWithSAML,
		"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com": ActionAssumeRoleWithWebIdentity,
		"cognito-identity.amazonaws.com":                                              ActionAssumeRoleWithWebIdentity,
	} {
		p, _ := ReadPrincipal("Federated", value)
		if got := AssumeAction(p); got != want {
			t.Errorf("AssumeAction(%s) = %s, want %s", value, got, want)
		}
	}
	for _, tp := range [][2]string{{"AWS", "111111111111"}, {"Service", "ec2.amazonaws.com"}, {"*", "*"}, {"AWS", "AROAEXAMPLEEXAMPLE12"}} {
		p, _ := ReadPrincipal(tp[0], tp[1])
		if got := AssumeAction(p); got != ActionAssumeRole {
			t.Errorf("AssumeAction(%s %s) = %s, want sts:AssumeRole", tp[0], tp[1], got)
		}
	}
}
