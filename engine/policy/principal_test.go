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

// TestReadPrincipalValue checks how a principal is read from its value
// alone, as plan files hold access changes: each kind, named as plans name
// it, and written back as it was read. (These were the views' cases when
// they read access changes from bare strings.)
func TestReadPrincipalValue(t *testing.T) {
	for _, tc := range []struct {
		name, principal, want string
		kind                  model.PrincipalKind
	}{
		{"user", "arn:aws:iam::111111111111:user/David", `user "David" in 111111111111`, model.PrincipalUser},
		{"role with a path", "arn:aws:iam::999999999999:role/ci/Deployer", `role "Deployer" in 999999999999`, model.PrincipalRole},
		{"session", "arn:aws:sts::222222222222:assumed-role/Vendor/scan", `session "scan" of role "Vendor" in 222222222222`, model.PrincipalAssumedRole},
		{"outside role", "arn:aws:iam::222222222222:role/Vendor", `role "Vendor" in 222222222222`, model.PrincipalRole},
		{"outside account root", "arn:aws:iam::222222222222:root", "anyone in account 222222222222 allowed by its own policies", model.PrincipalRoot},
		{"anyone", "*", `anyone (Principal "*")`, model.PrincipalAnyone},
		{"service", "ec2.amazonaws.com", "service ec2.amazonaws.com", model.PrincipalService},
		{"OIDC provider", "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
			"federated provider token.actions.githubusercontent.com (OIDC) in 999999999999", model.PrincipalOIDCProvider},
		{"SAML provider", "arn:aws:iam::999999999999:saml-provider/Okta", `federated provider "Okta" (SAML) in 999999999999`, model.PrincipalSAMLProvider},
		{"web identity host that looks like a service", "cognito-identity.amazonaws.com", "federated provider cognito-identity.amazonaws.com", model.PrincipalWebIdentity},
		{"web identity host", "accounts.google.com", "federated provider accounts.google.com", model.PrincipalWebIdentity},
		{"a Federated value that is neither an ARN nor a host", "oidc.example.com/id/ABC", "federated provider oidc.example.com/id/ABC", model.PrincipalWebIdentity},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ReadPrincipalValue(tc.principal)
			if p.Kind != tc.kind || p.Label() != tc.want {
				t.Errorf("ReadPrincipalValue(%q) = %s %q, want %s %q", tc.principal, p.Kind, p.Label(), tc.kind, tc.want)
			}
			if p.String() != tc.principal {
				t.Errorf("ReadPrincipalValue(%q).String() = %q", tc.principal, p.String())
			}
		})
	}
}
