package engine_test

import (
	"context"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/trustform/trustform/cmd/trustform/views"
	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
)

const denyAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`

// outOfBand changes an account as someone outside the stack would: through
// the target, with a change no plan made.
func outOfBand(t *testing.T, p engine.Provider, acct string, c *model.Change) {
	t.Helper()
	c.Account = model.AccountRef{ID: acct, Partition: "aws"}
	if err := p.Apply(context.Background(), &model.AccountConfig{ID: acct, Partition: "aws"}, c); err != nil {
		t.Fatalf("out-of-band %s: %v", engine.Describe(c), err)
	}
}

// readRole reads a role as the target holds it.
func readRole(t *testing.T, p engine.Provider, name string) *model.Role {
	t.Helper()
	a, err := p.Read(context.Background(), &model.AccountConfig{ID: prodID, Partition: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	r := a.Roles[model.NameKey(name)]
	if r == nil {
		t.Fatalf("no role %s", name)
	}
	return r
}

func roleOnlyOf(r *model.Role) *model.Role {
	c := r.Clone()
	c.InlinePolicies, c.AttachedPolicies = nil, nil
	return c
}

// TestDriftClassifiesEachChange applies a stack, changes its accounts or its
// configuration, and checks how the next plan labels each change.
func TestDriftClassifiesEachChange(t *testing.T) {
	type want struct {
		address string
		action  model.Action
		drift   model.Drift
	}
	tests := []struct {
		name    string
		change  func(t *testing.T, p engine.Provider, cfg *model.Config)
		destroy bool
		want    []want // the changes the plan must hold, among others
	}{
		{
			name: "an inline policy put on an owned role out of band was added outside, not removed from the stack",
			change: func(t *testing.T, p engine.Provider, _ *model.Config) {
				outOfBand(t, p, prodID, &model.Change{Action: model.Create, Kind: model.KindInline,
					After: &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "Target", Name: "debug", Document: denyAll}})
			},
			want: []want{{`role.target.inline_policy["debug"]`, model.Delete, model.DriftAddedOutside}},
		},
		{
			name: "an inline policy removed from its block is no longer declared",
			change: func(_ *testing.T, _ engine.Provider, cfg *model.Config) {
				delete(cfg.Roles[1].InlinePolicies, "notes")
			},
			want: []want{
				{`role.target.inline_policy["notes"]`, model.Delete, model.DriftNoLongerDeclared},
				{`role.target`, model.Update, model.DriftNone}, // its record
			},
		},
		{
			name: "an owned role whose trust policy changed out of band was changed outside",
			change: func(t *testing.T, p engine.Provider, _ *model.Config) {
				before := roleOnlyOf(readRole(t, p, "Target"))
				after := before.Clone()
				after.TrustPolicy, after.MaxSessionDuration = trust(model.RootARN("aws", devID)), 7200
				outOfBand(t, p, prodID, &model.Change{Action: model.Update, Kind: model.KindRole, Before: before, After: after})
			},
			want: []want{{`role.target`, model.Update, model.DriftChangedOutside}},
		},
		{
			name: "an inline policy's document changed out of band was changed outside",
			change: func(t *testing.T, p engine.Provider, _ *model.Config) {
				outOfBand(t, p, prodID, &model.Change{Action: model.Update, Kind: model.KindInline,
					Before: &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "Target", Name: "notes", Document: allow},
					After:  &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "Target", Name: "notes", Document: denyAll}})
			},
			want: []want{{`role.target.inline_policy["notes"]`, model.Update, model.DriftChangedOutside}},
		},
		{
			name: "an inline policy's document changed in the stack follows the configuration",
			change: func(_ *testing.T, _ engine.Provider, cfg *model.Config) {
				cfg.Roles[1].InlinePolicies["notes"] = denyAll
			},
			want: []want{
				{`role.target.inline_policy["notes"]`, model.Update, model.DriftNone},
				{`role.target`, model.Update, model.DriftNone},
			},
		},
		{
			name: "an attachment detached out of band was deleted outside",
			change: func(t *testing.T, p engine.Provider, _ *model.Config) {
				outOfBand(t, p, prodID, &model.Change{Action: model.Delete, Kind: model.KindAttachment,
					Before: &model.Attachment{PrincipalKind: model.KindRole, PrincipalName: "Target", PolicyARN: model.PolicyARN("aws", prodID, "/", "rw")}})
			},
			want: []want{{`role.target.managed_policy[policy.rw]`, model.Create, model.DriftDeletedOutside}},
		},
		{
			name: "a membership added out of band to an owned user was added outside",
			change: func(t *testing.T, p engine.Provider, _ *model.Config) {
				outOfBand(t, p, devID, &model.Change{Action: model.Create, Kind: model.KindGroup, After: &model.Group{Name: "Admins", Path: "/"}})
				outOfBand(t, p, devID, &model.Change{Action: model.Create, Kind: model.KindMembership, After: &model.Membership{User: "Ann", Group: "Admins"}})
			},
			want: []want{{`user.ann.membership["Admins"]`, model.Delete, model.DriftAddedOutside}},
		},
		{
			name: "a role without a record (applied by an older trustform) is unknown, and gets its record",
			change: func(t *testing.T, p engine.Provider, _ *model.Config) {
				before := roleOnlyOf(readRole(t, p, "Target"))
				after := before.Clone()
				maps.DeleteFunc(after.Tags, func(k, _ string) bool { return ownership.IsAppliedTag(k) })
				outOfBand(t, p, prodID, &model.Change{Action: model.Update, Kind: model.KindRole, Before: before, After: after})
				outOfBand(t, p, prodID, &model.Change{Action: model.Create, Kind: model.KindInline,
					After: &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "Target", Name: "debug", Document: denyAll}})
			},
			want: []want{
				{`role.target.inline_policy["debug"]`, model.Delete, model.DriftUnknown},
				{`role.target`, model.Update, model.DriftNone},
			},
		},
		{
			name:   "a role whose block is removed is no longer declared, and so are its children",
			change: func(_ *testing.T, _ engine.Provider, cfg *model.Config) { cfg.Roles = cfg.Roles[:1] },
			want: []want{
				{`account.production.role["Target"]`, model.Delete, model.DriftNoLongerDeclared},
				{`account.production.role["Target"].inline_policy["notes"]`, model.Delete, model.DriftNoLongerDeclared},
			},
		},
		{
			name: "a destroy labels nothing but what was added outside",
			change: func(t *testing.T, p engine.Provider, _ *model.Config) {
				outOfBand(t, p, prodID, &model.Change{Action: model.Create, Kind: model.KindInline,
					After: &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "Target", Name: "debug", Document: denyAll}})
			},
			destroy: true,
			want: []want{
				{`role.target`, model.Delete, model.DriftNone},
				{`role.target.inline_policy["notes"]`, model.Delete, model.DriftNone},
				{`grant.ops.to[group.ops]`, model.Delete, model.DriftNone},
				{`role.target.inline_policy["debug"]`, model.Delete, model.DriftAddedOutside},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			cfg := stackConfig()
			p := openLocal(t)
			if err := engine.Apply(ctx, plan(t, cfg, p, false), cfg, p, engine.ApplyOptions{}); err != nil {
				t.Fatal(err)
			}
			if again := plan(t, cfg, p, false); len(again.Changes) != 0 {
				t.Fatalf("plan after apply is not empty: %v", names(again))
			}
			tc.change(t, p, cfg)
			pl := plan(t, cfg, p, tc.destroy)
			got := map[string]*model.Change{}
			var all []string
			for _, c := range pl.Changes {
				got[c.Address] = c
				all = append(all, c.Address+" "+string(c.Action)+" "+string(c.Drift))
			}
			for _, w := range tc.want {
				c := got[w.address]
				if c == nil || c.Action != w.action || c.Drift != w.drift {
					t.Errorf("want %s %s with drift %q; the plan has:\n%s", w.address, w.action, w.drift, strings.Join(all, "\n"))
				}
			}
			if tc.destroy {
				return
			}
			// Applied, the plan leaves the accounts matching the stack,
			// record included.
			if err := engine.Apply(ctx, pl, cfg, p, engine.ApplyOptions{}); err != nil {
				t.Fatal(err)
			}
			if again := plan(t, cfg, p, false); len(again.Changes) != 0 {
				t.Fatalf("plan after applying the drift is not empty: %v", names(again))
			}
		})
	}
}

// TestRecordIsWrittenAfterItsChildren: a role's update, which rewrites its
// record, waits for the changes of its inline policies and attachments.
func TestRecordIsWrittenAfterItsChildren(t *testing.T) {
	ctx := context.Background()
	cfg := stackConfig()
	p := openLocal(t)
	if err := engine.Apply(ctx, plan(t, cfg, p, false), cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg.Roles[1].InlinePolicies["more"] = denyAll
	cfg.Roles[1].ManagedPolicies = nil
	pl := plan(t, cfg, p, false)
	at := map[string]int{}
	for i, c := range pl.Changes {
		at[c.Address] = i
	}
	role, ok := at["role.target"]
	if !ok {
		t.Fatalf("no update of role.target (its record): %v", names(pl))
	}
	for _, child := range []string{`role.target.inline_policy["more"]`, `role.target.managed_policy[policy.rw]`} {
		i, ok := at[child]
		if !ok {
			t.Fatalf("no change %s: %v", child, names(pl))
		}
		if i > role || !containsInt(pl.Changes[role].DependsOn, i) {
			t.Errorf("role.target's record (change %d, after %v) does not wait for %s (change %d)", role, pl.Changes[role].DependsOn, child, i)
		}
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

var update = flag.Bool("update", false, "rewrite testdata/plans/dev-prod-drift.txt and .md")

// TestDriftPlanGolden applies the dev-prod tutorial, then changes its
// production account by hand: an inline policy on UpdateApp, a longer
// session, and the bucket policy detached. The plan's human view shows them
// in a section of their own, and each change says why it is needed.
func TestDriftPlanGolden(t *testing.T) {
	ctx := context.Background()
	cfg, p := loadExample(t, "dev-prod")
	if err := engine.Apply(ctx, plan(t, cfg, p, false), cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	outOfBand(t, p, prodID, &model.Change{Action: model.Create, Kind: model.KindInline,
		After: &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "UpdateApp", Name: "debug", Document: denyAll}})
	before := roleOnlyOf(readRole(t, p, "UpdateApp"))
	after := before.Clone()
	after.MaxSessionDuration = 43200
	outOfBand(t, p, prodID, &model.Change{Action: model.Update, Kind: model.KindRole, Before: before, After: after})
	outOfBand(t, p, prodID, &model.Change{Action: model.Delete, Kind: model.KindAttachment,
		Before: &model.Attachment{PrincipalKind: model.KindRole, PrincipalName: "UpdateApp", PolicyARN: model.PolicyARN("aws", prodID, "/", "read-write-app-bucket")}})

	pl := plan(t, cfg, p, false)
	pl.Target = "local simulation in examples/dev-prod/.trustform"
	for i := range pl.Accounts {
		pl.Accounts[i].Identity = model.RootARN("aws", pl.Accounts[i].ID)
	}
	var human, md strings.Builder
	views.Plan(&human, pl, views.Colors{})
	views.Markdown(&md, pl)
	for name, got := range map[string]string{"dev-prod-drift.txt": human.String(), "dev-prod-drift.md": md.String()} {
		path := filepath.Join("..", "testdata", "plans", name)
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./engine -run TestDriftPlanGolden -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("the plan differs from %s (rerun with -update if the change is deliberate):\n--- got\n%s\n--- want\n%s", path, got, want)
		}
	}
}

// TestTrustChangeDoesNotWaitForChildren: an update that changes the role
// itself (here its trust policy, narrowed) runs as soon as it can, and is
// applied even when one of the role's children fails: a failed attachment
// must not keep a role open to a whole account.
func TestTrustChangeDoesNotWaitForChildren(t *testing.T) {
	ctx := context.Background()
	cfg := stackConfig()
	p := openLocal(t)
	if err := engine.Apply(ctx, plan(t, cfg, p, false), cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	const narrowed = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/Ann"},"Action":"sts:AssumeRole"}]}`
	target := cfg.Roles[1]
	target.TrustDocument = narrowed
	target.ManagedPolicies = append(target.ManagedPolicies, "arn:aws:iam::aws:policy/NoSuchPolicy")
	pl := plan(t, cfg, p, false)
	role, attach := -1, -1
	for i, c := range pl.Changes {
		switch c.Address {
		case "role.target":
			role = i
		case `role.target.managed_policy["arn:aws:iam::aws:policy/NoSuchPolicy"]`:
			attach = i
		}
	}
	if role < 0 || attach < 0 {
		t.Fatalf("want the role's update and the new attachment: %v", names(pl))
	}
	if containsInt(pl.Changes[role].DependsOn, attach) {
		t.Fatalf("the trust change waits for the attachment (depends on %v)", pl.Changes[role].DependsOn)
	}
	if err := engine.Apply(ctx, pl, cfg, p, engine.ApplyOptions{}); err == nil {
		t.Fatal("attaching a policy that does not exist succeeded: the case proves nothing")
	}
	read := readRole(t, p, target.Name)
	if !policy.Equivalent(read.TrustPolicy, narrowed) {
		t.Fatalf("the trust policy was not narrowed when the attachment failed:\n%s", read.TrustPolicy)
	}
}
