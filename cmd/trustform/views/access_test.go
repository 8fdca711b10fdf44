package views

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
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
		changes  []model.AccessChange
		want     string
		broadens bool
	}{
		{
			name:     "an outside account gained, with an ExternalId",
			changes:  []model.AccessChange{{Role: role, Principal: "arn:aws:iam::777777777777:root", After: []string{`with ExternalId "x"`}, CanAfter: true}},
			want:     `+ anyone in account 777777777777 allowed by its own policies can assume role "AcmeScannerAudit" in 123456789012 with ExternalId "x"`,
			broadens: true,
		},
		{
			name:     "anyone gained",
			changes:  []model.AccessChange{{Role: role, Principal: "*", After: []string{}, CanAfter: true}},
			want:     `+ anyone (Principal "*") can assume role "AcmeScannerAudit" in 123456789012 with no condition`,
			broadens: true,
		},
		{
			name:    "a service lost",
			changes: []model.AccessChange{{Role: role, Principal: "ec2.amazonaws.com", Before: []string{}, CanBefore: true}},
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

// TestDelegationText checks how a plan shows a trust policy that starts or
// stops admitting an account or "*": the account by name where declared,
// the conditions, and who in it can assume the role — nobody, some, or
// unknown for an account that is not read — in the human and markdown
// views alike, and that gaining one broadens the plan.
func TestDelegationText(t *testing.T) {
	const role = "arn:aws:iam::999999999999:role/UpdateApp"
	names := map[string]string{"222222222222": "sandbox", "111111111111": "development"}
	for _, tc := range []struct {
		name     string
		change   model.AccessChange
		want     string
		broadens bool
	}{
		{"a read account with nobody in it yet",
			model.AccessChange{Kind: model.AccessDelegation, Role: role, Principal: "arn:aws:iam::222222222222:root", After: []string{}, CanAfter: true, Today: []string{}, TodayKnown: true},
			`account "sandbox" (222222222222) may now let its principals assume role "UpdateApp" in 999999999999 with no condition; today: nobody`, true},
		{"an account that is not read",
			model.AccessChange{Kind: model.AccessDelegation, Role: role, Principal: "arn:aws:iam::333333333333:root", After: []string{"with MFA"}, CanAfter: true, Today: []string{}},
			`account 333333333333 may now let its principals assume role "UpdateApp" in 999999999999 with MFA; today: unknown, account 333333333333 is not read (its own policies decide)`, true},
		{"a delegation that ends names who could",
			model.AccessChange{Kind: model.AccessDelegation, Role: role, Principal: "arn:aws:iam::111111111111:root", Before: []string{}, CanBefore: true,
				Today: []string{"arn:aws:iam::111111111111:user/David", "arn:aws:iam::111111111111:role/Ci"}, TodayKnown: true},
			`account "development" (111111111111) may no longer let its principals assume role "UpdateApp" in 999999999999; until now: user "David" in 111111111111, role "Ci" in 111111111111`, false},
		{"anyone",
			model.AccessChange{Kind: model.AccessDelegation, Role: role, Principal: "*", After: []string{}, CanAfter: true,
				Today: []string{"arn:aws:iam::111111111111:user/David"}, TodayKnown: true},
			`anyone (Principal "*") may now assume role "UpdateApp" in 999999999999 with no condition; today in the accounts read: user "David" in 111111111111`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := DelegationText(tc.change, names); got != tc.want {
				t.Errorf("DelegationText\n got %s\nwant %s", got, tc.want)
			}
			var human strings.Builder
			AccessChangesNamed(&human, []model.AccessChange{tc.change}, names, Colors{})
			if !strings.Contains(human.String(), tc.want) {
				t.Errorf("the human view lacks the delegation:\n%s", human.String())
			}
			if got := strings.Contains(human.String(), "This plan broadens access."); got != tc.broadens {
				t.Errorf("broadens = %v, want %v", got, tc.broadens)
			}
			var md strings.Builder
			p := &model.Plan{Stack: "s", Access: []model.AccessChange{tc.change}}
			for id, n := range names {
				p.Accounts = append(p.Accounts, model.PlanAccount{ID: id, Name: n})
			}
			Markdown(&md, p)
			_, today, _ := strings.Cut(tc.want, "; ")
			if !strings.Contains(md.String(), cell(today)) || !strings.Contains(md.String(), "| "+cell(delegateLabel(tc.change.Principal, names))+" |") {
				t.Errorf("the markdown view lacks the delegation:\n%s", md.String())
			}
		})
	}
}
