package access_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
)

const (
	sandbox     = "222222222222"
	sandboxRoot = "arn:aws:iam::222222222222:root"
)

// withSandbox adds a read account holding one user with no policy: no
// principal of it can assume anything, so only a delegation can tell that
// a trust policy lets the account in.
func withSandbox(s *model.State) *model.State {
	a := s.Account(sandbox, "aws")
	a.Users["sam"] = &model.User{Name: "Sam", Path: "/", InlinePolicies: map[string]string{}}
	return s
}

// TestDelegations checks the access diff's delegations: a trust policy that
// starts or stops admitting an account's root or "*" is reported as a
// delegation, broadening when gained, with who in the trusted account can
// assume the role — whether that account is read or not — and the same
// whether computed from every pair or from the plan's changes.
func TestDelegations(t *testing.T) {
	orgOnly := map[string]map[string][]string{"StringEquals": {"aws:PrincipalOrgID": {"o-abc123"}}}
	tests := []struct {
		name       string
		before     []string // AWS principals of UpdateApp's trust policy
		after      []string
		cond       map[string]map[string][]string // on the after statement
		principal  string
		gained     bool
		today      []string
		todayKnown bool
	}{
		{name: "a read account with nobody able to assume it yet", before: []string{dev}, after: []string{dev, sandbox},
			principal: sandboxRoot, gained: true, today: []string{}, todayKnown: true},
		{name: "a read account named by its root ARN", before: []string{dev}, after: []string{dev, sandboxRoot},
			principal: sandboxRoot, gained: true, today: []string{}, todayKnown: true},
		{name: "an account not read", before: []string{dev}, after: []string{dev, "333333333333"},
			principal: "arn:aws:iam::333333333333:root", gained: true, today: []string{}, todayKnown: false},
		{name: "the trusted account dropped: its assumers are those before", before: []string{dev}, after: []string{sandbox},
			principal: "arn:aws:iam::111111111111:root", gained: false, today: []string{david, quinn}, todayKnown: true},
		{name: "everyone in an organization", before: []string{dev}, after: []string{"*"}, cond: orgOnly,
			// Organization membership is not read: the state's principals
			// count as in it, each evaluated with its own policies (the
			// same-account role by the trust policy's "*" alone).
			principal: "*", gained: true, today: []string{david, quinn, updateApp}, todayKnown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := withSandbox(tutorialState(t))
			before.Accounts[prod].Roles["updateapp"].TrustPolicy = trustDoc(nil, tt.before...)
			after := before.Clone()
			was := after.Accounts[prod].Roles["updateapp"].Clone()
			after.Accounts[prod].Roles["updateapp"].TrustPolicy = trustDoc(tt.cond, tt.after...)
			change := &model.Change{Action: model.Update, Kind: model.KindRole,
				Account: model.AccountRef{Name: "production", ID: prod, Partition: "aws"},
				Before:  was, After: after.Accounts[prod].Roles["updateapp"].Clone()}

			resolve := resolveAWSManaged(t)
			b, a := access.New(access.Inputs{State: before, Policies: resolve}), access.New(access.Inputs{State: after, Policies: resolve})
			full := access.Diff(b, a)
			if fromChanges := access.DiffChanges(b, a, []*model.Change{change}); fmt.Sprint(fromChanges) != fmt.Sprint(full) {
				t.Fatalf("from the change:\n%+v\nfrom every pair:\n%+v", fromChanges, full)
			}
			i := slices.IndexFunc(full, func(c model.AccessChange) bool { return c.Principal.String() == tt.principal })
			if i < 0 {
				t.Fatalf("no access change for %s in %+v", tt.principal, full)
			}
			got := full[i]
			if !got.IsDelegation() || got.CanAfter != tt.gained || got.CanBefore == tt.gained {
				t.Fatalf("got %+v, want a delegation gained=%v", got, tt.gained)
			}
			if got.Broadens() != tt.gained {
				t.Errorf("Broadens() = %v, want %v", got.Broadens(), tt.gained)
			}
			if got.TodayKnown != tt.todayKnown || !slices.Equal(texts(got.Today), tt.today) {
				t.Errorf("today = %v (known %v), want %v (known %v)", got.Today, got.TodayKnown, tt.today, tt.todayKnown)
			}
			for _, c := range full {
				if c.Principal.String() == tt.principal && !c.IsDelegation() {
					t.Errorf("%s is reported as a principal as well as a delegation: %+v", tt.principal, c)
				}
			}
		})
	}
}

// texts are the principals as policies write them.
func texts(ps []model.Principal) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.String())
	}
	return out
}

// TestTrustAdmits checks that the trust policy judged alone names every
// principal it admits, those of the accounts read included, and that a
// Deny of the trust policy takes one away.
func TestTrustAdmits(t *testing.T) {
	s := withSandbox(tutorialState(t))
	r := s.Accounts[prod].Roles["updateapp"]
	r.TrustPolicy = trustOf(
		stmt("Allow", aws(dev, david, "arn:aws:iam::333333333333:role/Ci"), assume, nil),
		stmt("Allow", map[string][]string{"Service": {"ec2.amazonaws.com"}}, assume, nil),
		stmt("Deny", aws("arn:aws:iam::333333333333:role/Ci"), assume, nil),
	)
	ev := access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t)})
	var got []string
	for _, a := range ev.TrustAdmits(updateApp) {
		got = append(got, a.Principal)
	}
	want := []string{"arn:aws:iam::111111111111:root", david, "ec2.amazonaws.com"}
	if !slices.Equal(got, want) {
		t.Fatalf("TrustAdmits = %v, want %v", got, want)
	}
	var delegates []string
	for _, a := range ev.Delegations(updateApp) {
		delegates = append(delegates, a.Principal)
	}
	if want := []string{"arn:aws:iam::111111111111:root"}; !slices.Equal(delegates, want) {
		t.Fatalf("Delegations = %v, want %v", delegates, want)
	}
}
