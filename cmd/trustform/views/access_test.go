package views

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/policy"
)

// principal reads a principal as a saved plan holds it; principals reads
// several.
func principal(v string) model.Principal { return policy.ReadPrincipalValue(v) }

func principals(vs ...string) []model.Principal {
	out := []model.Principal{}
	for _, v := range vs {
		out = append(out, principal(v))
	}
	return out
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
			changes:  []model.AccessChange{{Role: principal(role), Principal: principal("arn:aws:iam::777777777777:root"), After: []string{`with ExternalId "x"`}, CanAfter: true}},
			want:     `+ anyone in account 777777777777 allowed by its own policies can assume role "AcmeScannerAudit" in 123456789012 with ExternalId "x"`,
			broadens: true,
		},
		{
			name:     "anyone gained",
			changes:  []model.AccessChange{{Role: principal(role), Principal: principal("*"), After: []string{}, CanAfter: true}},
			want:     `+ anyone (Principal "*") can assume role "AcmeScannerAudit" in 123456789012 with no condition`,
			broadens: true,
		},
		{
			name:    "a service lost",
			changes: []model.AccessChange{{Role: principal(role), Principal: principal("ec2.amazonaws.com"), Before: []string{}, CanBefore: true}},
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
			model.AccessChange{Kind: model.AccessDelegation, Role: principal(role), Principal: principal("arn:aws:iam::222222222222:root"), After: []string{}, CanAfter: true, Today: principals(), TodayKnown: true},
			`account "sandbox" (222222222222) may now let its principals assume role "UpdateApp" in 999999999999 with no condition; today: nobody`, true},
		{"an account that is not read",
			model.AccessChange{Kind: model.AccessDelegation, Role: principal(role), Principal: principal("arn:aws:iam::333333333333:root"), After: []string{"with MFA"}, CanAfter: true, Today: principals()},
			`account 333333333333 may now let its principals assume role "UpdateApp" in 999999999999 with MFA; today: unknown, account 333333333333 is not read (its own policies decide)`, true},
		{"a delegation that ends names who could",
			model.AccessChange{Kind: model.AccessDelegation, Role: principal(role), Principal: principal("arn:aws:iam::111111111111:root"), Before: []string{}, CanBefore: true,
				Today: principals("arn:aws:iam::111111111111:user/David", "arn:aws:iam::111111111111:role/Ci"), TodayKnown: true},
			`account "development" (111111111111) may no longer let its principals assume role "UpdateApp" in 999999999999; until now: user "David" in 111111111111, role "Ci" in 111111111111`, false},
		{"anyone",
			model.AccessChange{Kind: model.AccessDelegation, Role: principal(role), Principal: principal("*"), After: []string{}, CanAfter: true,
				Today: principals("arn:aws:iam::111111111111:user/David"), TodayKnown: true},
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
