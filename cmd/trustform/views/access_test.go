package views

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine"
)

func TestArnLabel(t *testing.T) {
	for _, tc := range []struct {
		name, principal, want string
	}{
		{"user", "arn:aws:iam::111111111111:user/David", `user "David" in 111111111111`},
		{"role with a path", "arn:aws:iam::999999999999:role/ci/Deployer", `role "Deployer" in 999999999999`},
		{"session", "arn:aws:sts::222222222222:assumed-role/Vendor/scan", `session "scan" of role "Vendor" in 222222222222`},
		{"outside role", "arn:aws:iam::222222222222:role/Vendor", `role "Vendor" in 222222222222`},
		{"outside account root", "arn:aws:iam::222222222222:root", "anyone in account 222222222222 allowed by its own policies"},
		{"anyone", "*", `anyone (Principal "*")`},
		{"service", "ec2.amazonaws.com", "service ec2.amazonaws.com"},
		{"OIDC provider", "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
			"federated provider token.actions.githubusercontent.com (OIDC) in 999999999999"},
		{"SAML provider", "arn:aws:iam::999999999999:saml-provider/Okta", `federated provider "Okta" (SAML) in 999999999999`},
		{"web identity host that looks like a service", "cognito-identity.amazonaws.com", "federated provider cognito-identity.amazonaws.com"},
		{"web identity host", "accounts.google.com", "federated provider accounts.google.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := arnLabel(tc.principal); got != tc.want {
				t.Errorf("arnLabel(%q) = %q, want %q", tc.principal, got, tc.want)
			}
		})
	}
}

// TestAccessChangesOutside checks how a plan shows principals outside the
// declared accounts, and that granting one access broadens the plan while
// taking it away does not.
func TestAccessChangesOutside(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/AcmeScannerAudit"
	for _, tc := range []struct {
		name     string
		changes  []engine.AccessChange
		want     string
		broadens bool
	}{
		{
			name:     "an outside account gained, with an ExternalId",
			changes:  []engine.AccessChange{{Role: role, Principal: "arn:aws:iam::777777777777:root", After: []string{`with ExternalId "x"`}, CanAfter: true}},
			want:     `+ anyone in account 777777777777 allowed by its own policies can assume role "AcmeScannerAudit" in 123456789012 with ExternalId "x"`,
			broadens: true,
		},
		{
			name:     "anyone gained",
			changes:  []engine.AccessChange{{Role: role, Principal: "*", After: []string{}, CanAfter: true}},
			want:     `+ anyone (Principal "*") can assume role "AcmeScannerAudit" in 123456789012 with no condition`,
			broadens: true,
		},
		{
			name:    "a service lost",
			changes: []engine.AccessChange{{Role: role, Principal: "ec2.amazonaws.com", Before: []string{}, CanBefore: true}},
			want:    `- service ec2.amazonaws.com can no longer assume role "AcmeScannerAudit" in 123456789012`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			AccessChanges(&b, tc.changes, Colors{})
			out := b.String()
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
			if got := strings.Contains(out, "This plan broadens access."); got != tc.broadens {
				t.Errorf("says it broadens access: %v, want %v:\n%s", got, tc.broadens, out)
			}
		})
	}
}
