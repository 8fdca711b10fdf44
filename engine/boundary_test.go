package engine_test

import (
	"context"
	"testing"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
)

// A permissions boundary through its life on the local target: set when the
// principal is created (its policy first), changed, shown as drift when
// removed out of band, then removed together with its policy, which the
// order deletes only after no boundary names it (the local target refuses
// to delete a policy in use as a boundary).
func TestPermissionsBoundaryLifecycle(t *testing.T) {
	ctx := context.Background()
	limitsARN := model.PolicyARN("aws", prodID, "/", "limits")
	readOnlyARN := "arn:aws:iam::aws:policy/ReadOnlyAccess"
	cfg := func(roleBoundary, userBoundary string, withPolicy bool) *model.Config {
		c := &model.Config{
			Stack: model.StackConfig{Name: "t"},
			Accounts: []*model.AccountConfig{
				{Address: "account.production", Name: "production", ID: prodID, Partition: "aws"},
			},
			Users: []*model.UserConfig{{Address: "user.ann", Account: prodID, Name: "Ann", PermissionsBoundary: userBoundary}},
			Roles: []*model.RoleConfig{{Address: "role.app", Account: prodID, Name: "App", MaxSessionDuration: 3600,
				TrustDocument: trust(model.RootARN("aws", devID)), PermissionsBoundary: roleBoundary}},
		}
		if withPolicy {
			c.Policies = []*model.PolicyConfig{{Address: "policy.limits", Account: prodID, Name: "limits", Document: allow}}
		}
		return c
	}
	p := openLocal(t)
	read := func() *model.Account {
		a, err := p.Read(ctx, &model.AccountConfig{ID: prodID, Partition: "aws"})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	apply := func(name string, c *model.Config) *model.Plan {
		t.Helper()
		pl := plan(t, c, p, false)
		if err := engine.Apply(ctx, pl, c, p, engine.ApplyOptions{}); err != nil {
			t.Fatalf("%s: %v\nplan: %v", name, err, names(pl))
		}
		if again := plan(t, c, p, false); len(again.Changes) != 0 {
			t.Fatalf("%s: plan after apply is not empty: %v", name, names(again))
		}
		return pl
	}
	boundaries := func() (string, string) {
		a := read()
		return a.Roles["app"].PermissionsBoundary, a.Users["ann"].PermissionsBoundary
	}

	apply("create", cfg(limitsARN, limitsARN, true))
	if r, u := boundaries(); r != limitsARN || u != limitsARN {
		t.Fatalf("after create: role boundary %q, user boundary %q, want %q for both", r, u, limitsARN)
	}

	pl := apply("change", cfg(readOnlyARN, limitsARN, true))
	if r, _ := boundaries(); r != readOnlyARN {
		t.Fatalf("after change: role boundary %q, want %q", r, readOnlyARN)
	}
	var attr *model.AttrDiff
	for _, c := range pl.Changes {
		for i, a := range c.Attrs {
			if c.Kind == model.KindRole && a.Name == "permissions_boundary" {
				attr = &c.Attrs[i]
			}
		}
	}
	if attr == nil {
		t.Fatalf("the change plan shows no permissions_boundary attribute: %v", names(pl))
	}

	// Removed out of band: the plan puts it back.
	a := read()
	u := a.Users["ann"]
	gone := u.Clone()
	gone.PermissionsBoundary = ""
	if err := p.Apply(ctx, &model.AccountConfig{ID: prodID, Partition: "aws"}, &model.Change{Action: model.Update, Kind: model.KindUser,
		Account: model.AccountRef{Name: "production", ID: prodID, Partition: "aws"}, Key: model.PrincipalKey(prodID, model.KindUser, "Ann"),
		Before: u, After: gone}); err != nil {
		t.Fatalf("removing the user's boundary by hand: %v", err)
	}
	if drift := plan(t, cfg(readOnlyARN, limitsARN, true), p, false); len(drift.Changes) != 1 || drift.Changes[0].Kind != model.KindUser {
		t.Fatalf("a boundary removed out of band: plan %v, want one update of user Ann", names(drift))
	}

	// Both boundaries and the policy go in one plan.
	apply("remove", cfg("", "", false))
	if r, u := boundaries(); r != "" || u != "" {
		t.Fatalf("after remove: role boundary %q, user boundary %q, want none", r, u)
	}
	if len(read().Policies) != 0 {
		t.Fatalf("the boundary policy was not deleted")
	}
}
