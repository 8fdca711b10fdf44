package access_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/model"
)

// TestDamagedOrganizationPath: a path from the root that AWS Organizations
// cannot give (empty, or with a gap, as a damaged saved plan or seed could
// hold) makes the account's guardrails allow nothing, with a caveat, and
// never panics: an answer is not an allow that a policy not read might
// forbid.
func TestDamagedOrganizationPath(t *testing.T) {
	cases, err := access.LoadCase("../../testdata/eval/organizations.json")
	if err != nil {
		t.Fatal(err)
	}
	var base access.Case
	for _, c := range cases {
		if c.Want.Allowed && c.Spec.Organization != nil && c.Request.Action == "sts:AssumeRole" {
			base = c
			break
		}
	}
	if base.Name == "" {
		t.Fatal("no allowed organisation case to start from")
	}
	caller, _ := model.ParsePrincipal(base.Request.Principal)
	role, _ := model.ParseARN(base.Request.Resource)
	tests := []struct {
		name    string
		account string
		damage  func([]*model.OrgLevel) []*model.OrgLevel
		caveat  string
	}{
		{"the caller's path is empty", caller.Account, func([]*model.OrgLevel) []*model.OrgLevel { return []*model.OrgLevel{} }, "its SCPs were read as allowing nothing"},
		{"the caller's path has a gap", caller.Account, func(p []*model.OrgLevel) []*model.OrgLevel { return append([]*model.OrgLevel{nil}, p...) }, "its SCPs were read as allowing nothing"},
		{"the role's path is empty", role.Account, func([]*model.OrgLevel) []*model.OrgLevel { return nil }, "its RCPs were read as allowing nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base.State()
			if s.Organization == nil || !s.Organization.SCPs || !s.Organization.RCPs {
				t.Skipf("%s: the organisation does not evaluate SCPs and RCPs", base.Name)
			}
			path, ok := s.Organization.Paths[tt.account]
			if !ok {
				t.Fatalf("%s: account %s is not in the organisation", base.Name, tt.account)
			}
			s.Organization.Paths[tt.account] = tt.damage(path)
			ev := access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t)})
			res := ev.Evaluate(base.Request)
			if res.Allowed {
				t.Errorf("allowed with a damaged path: %v", res.Reasons)
			}
			if !slices.ContainsFunc(res.Caveats, func(c string) bool { return strings.Contains(c, tt.caveat) }) {
				t.Errorf("no caveat %q: %q", tt.caveat, res.Caveats)
			}
			if list := ev.WhoCanAssume(base.Request.Resource); slices.ContainsFunc(list, func(a access.Assumer) bool { return a.Principal == base.Request.Principal }) {
				t.Errorf("who-can lists %s with a damaged path", base.Request.Principal)
			}
		})
	}
}

// TestSessionCaveatForPrincipalsWithoutOne: session policies given for one
// principal silence the general "session policies are not evaluated"
// caveat, so a role for which none was given says so in its own answer.
func TestSessionCaveatForPrincipalsWithoutOne(t *testing.T) {
	s := tutorialState(t)
	other := "arn:aws:iam::999999999999:role/Other"
	ev := access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t),
		SessionPolicies: map[string][]string{other: {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}}})
	res := ev.Evaluate(access.Request{Principal: updateApp, Action: "s3:ListAllMyBuckets", Resource: "*"})
	if !slices.ContainsFunc(res.Caveats, func(c string) bool { return strings.Contains(c, "no session policy was given for role \"UpdateApp\"") }) {
		t.Errorf("no caveat that UpdateApp's session policies were not given: %q", res.Caveats)
	}
}
