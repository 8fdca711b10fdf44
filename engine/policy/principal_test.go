package policy

import (
	"testing"

	"github.com/trustform/trustform/engine/model"
)

func TestReadPrincipal(t *testing.T) {
	for _, tc := range []struct {
		typ, value string
		kind       model.PrincipalKind
		ok         bool
	}{
		{"*", "*", model.PrincipalAnyone, true},
		{"AWS", "*", model.PrincipalAnyone, true},
		{"AWS", "111111111111", model.PrincipalRoot, true},
		{"AWS", "arn:aws:iam::111111111111:root", model.PrincipalRoot, true},
		{"AWS", "arn:aws:iam::111111111111:role/ci/Deploy", model.PrincipalRole, true},
		{"AWS", "arn:aws:sts::111111111111:assumed-role/Deploy/ci", model.PrincipalAssumedRole, true},
		{"AWS", "arn:aws:sts::111111111111:federated-user/Bob", model.PrincipalFederatedUser, true},
		{"AWS", "arn:aws:iam::111111111111:group/Developers", "", false}, // no group is a principal
		{"AWS", "arn:aws:iam::1111:root", "", false},                     // nor an account of four digits
		{"AWS", "AROAEXAMPLEEXAMPLE12", "", false},                       // a deleted principal's unique id
		{"Service", "ec2.amazonaws.com", model.PrincipalService, true},
		{"Federated", "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com", model.PrincipalOIDCProvider, true},
		{"Federated", "arn:aws:iam::111111111111:saml-provider/Okta", model.PrincipalSAMLProvider, true},
		{"Federated", "cognito-identity.amazonaws.com", model.PrincipalWebIdentity, true},
		{"CanonicalUser", "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", "", false},
	} {
		p, ok := ReadPrincipal(tc.typ, tc.value)
		if p.Kind != tc.kind || ok != tc.ok {
			t.Errorf("ReadPrincipal(%q, %q) = %s, %v; want %s, %v", tc.typ, tc.value, p.Kind, ok, tc.kind, tc.ok)
		}
		if ok && p.String() != tc.value && !(tc.typ == "AWS" && p.Kind == model.PrincipalRoot && p.Account == tc.value) {
			t.Errorf("ReadPrincipal(%q, %q).String() = %q", tc.typ, tc.value, p.String())
		}
	}
}
