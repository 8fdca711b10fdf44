package access_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/policy"
)

// TestSearchBound checks that a trust statement past the first few
// conditional ones is still searched: the contexts tried for a principal
// come from the statements that can name it, whichever others the trust
// policy holds, and no principal is left out because other principals'
// statements came first. A principal left out there is a silent "nobody",
// which for an access review is a hole.
func TestSearchBound(t *testing.T) {
	type conds = map[string]map[string][]string
	extID := func(v string) conds { return conds{"StringEquals": {"sts:ExternalId": {v}}} }
	vendorRoles := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("arn:aws:iam::222222222222:role/r%d", i))
		}
		return out
	}
	tests := []struct {
		name  string
		stmts []policy.Statement // UpdateApp's trust policy
		// who must be listed by WhoCanAssume, each with the ExternalId
		// its context must give
		who map[string]string
		// delegations wanted, in order
		delegations []string
		// principals TrustAdmits must list
		admits []string
	}{
		{
			name: "eight conditional statements for roles of another account, then the developers' account",
			stmts: func() []policy.Statement {
				var out []policy.Statement
				for i, r := range vendorRoles(8) {
					out = append(out, stmt("Allow", aws(r), assume, extID(fmt.Sprintf("e%d", i))))
				}
				return append(out, stmt("Allow", aws(model.RootARN("aws", dev)), assume, extID("z")))
			}(),
			who: func() map[string]string {
				m := map[string]string{david: "z", quinn: "z"}
				for i, r := range vendorRoles(8) {
					m[r] = fmt.Sprintf("e%d", i)
				}
				return m
			}(),
			delegations: []string{"arn:aws:iam::111111111111:root"},
			admits:      append([]string{"arn:aws:iam::111111111111:root"}, vendorRoles(8)...),
		},
		{
			name: "eight conditional statements for the developers' account, then another account's root",
			stmts: func() []policy.Statement {
				var out []policy.Statement
				for i := range 8 {
					out = append(out, stmt("Allow", aws(model.RootARN("aws", dev)), assume, extID(fmt.Sprintf("e%d", i))))
				}
				return append(out, stmt("Allow", aws("arn:aws:iam::333333333333:root"), assume, extID("z")))
			}(),
			who:         map[string]string{david: "e0", quinn: "e0", "arn:aws:iam::333333333333:root": "z"},
			delegations: []string{"arn:aws:iam::111111111111:root", "arn:aws:iam::333333333333:root"},
			admits:      []string{"arn:aws:iam::111111111111:root", "arn:aws:iam::333333333333:root"},
		},
		{
			name: "the repro's second form: the other account is read",
			stmts: func() []policy.Statement {
				var out []policy.Statement
				for i := range 8 {
					out = append(out, stmt("Allow", aws(model.RootARN("aws", dev)), assume, extID(fmt.Sprintf("e%d", i))))
				}
				return append(out, stmt("Allow", aws(vendorRoot), assume, extID("z")))
			}(),
			who: func() map[string]string {
				m := map[string]string{david: "e0", quinn: "e0"}
				for _, r := range vendorRoles(8) {
					m[r] = "z"
				}
				return m
			}(),
			delegations: []string{"arn:aws:iam::111111111111:root", vendorRoot},
			admits:      []string{"arn:aws:iam::111111111111:root", vendorRoot},
		},
		{
			name: "twelve conditional statements for twelve outside accounts",
			stmts: func() []policy.Statement {
				var out []policy.Statement
				for i := range 12 {
					out = append(out, stmt("Allow", aws(fmt.Sprintf("4444444444%02d", i)), assume, extID(fmt.Sprintf("e%d", i))))
				}
				return out
			}(),
			who: func() map[string]string {
				m := map[string]string{}
				for i := range 12 {
					m[fmt.Sprintf("arn:aws:iam::4444444444%02d:root", i)] = fmt.Sprintf("e%d", i)
				}
				return m
			}(),
			delegations: func() []string {
				var out []string
				for i := range 12 {
					out = append(out, fmt.Sprintf("arn:aws:iam::4444444444%02d:root", i))
				}
				return out
			}(),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tutorialState(t)
			vendor := s.Account("222222222222", "aws")
			for i := range 8 {
				name := fmt.Sprintf("r%d", i)
				vendor.Roles[model.NameKey(name)] = &model.Role{Name: name, Path: "/", MaxSessionDuration: 3600,
					TrustPolicy: trustOf(stmt("Allow", map[string][]string{"Service": {"ec2.amazonaws.com"}}, assume, nil)),
					InlinePolicies: map[string]string{"assume": policy.Document{Version: policy.Version, Statements: []policy.Statement{{
						Effect: "Allow", Actions: assume, Resources: []string{"*"},
					}}}.JSON()}}
			}
			s.Accounts[prod].Roles["updateapp"].TrustPolicy = trustOf(tt.stmts...)
			ev := access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t)})
			listed := map[string]access.Assumer{}
			for _, a := range ev.WhoCanAssume(updateApp) {
				listed[a.Principal] = a
				if !a.Outside {
					if res := ev.CanAssume(a.Principal, updateApp, a.Context); !res.Allowed {
						t.Errorf("%s listed with %v, but CanAssume says %s", a.Principal, a.Context, res.Decision)
					}
				}
				for _, c := range a.Result.Caveats {
					if strings.Contains(c, "bounded") {
						t.Errorf("%s: the search was cut: %s", a.Principal, c)
					}
				}
			}
			for p, ext := range tt.who {
				if !strings.HasSuffix(p, ":root") {
					// The evaluator itself allows it: the search must find it.
					if res := ev.CanAssume(p, updateApp, map[string][]string{"sts:ExternalId": {ext}}); !res.Allowed {
						t.Fatalf("test state: CanAssume(%s, ExternalId %s) says %s", p, ext, res.Decision)
					}
				}
				a, ok := listed[p]
				switch {
				case !ok:
					t.Errorf("WhoCanAssume leaves out %s, allowed with ExternalId %q", p, ext)
				case !slices.Equal(a.Context["sts:ExternalId"], []string{ext}):
					t.Errorf("%s listed with context %v, want ExternalId %q", p, a.Context, ext)
				}
			}
			var delegations []string
			for _, a := range ev.Delegations(updateApp) {
				delegations = append(delegations, a.Principal)
			}
			if !slices.Equal(delegations, tt.delegations) {
				t.Errorf("Delegations = %v, want %v", delegations, tt.delegations)
			}
			admitted := map[string]bool{}
			for _, a := range ev.TrustAdmits(updateApp) {
				admitted[a.Principal] = true
			}
			for _, p := range tt.admits {
				if !admitted[p] {
					t.Errorf("TrustAdmits leaves out %s", p)
				}
			}
		})
	}
}
