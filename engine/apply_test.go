package engine_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/providers/local"
)

const (
	devID  = "111111111111"
	prodID = "999999999999"
	allow  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
)

func trust(principals ...string) string {
	q := make([]string, len(principals))
	for i, p := range principals {
		q[i] = `"` + p + `"`
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[` + strings.Join(q, ",") + `]},"Action":"sts:AssumeRole"}]}`
}

// stackConfig is a stack with owned objects of every kind, including a role
// whose trust policy names a role and a user created in the same apply.
func stackConfig() *model.Config {
	chainARN := model.RoleARN("aws", prodID, "/", "Chain")
	return &model.Config{
		Stack: model.StackConfig{Name: "t"},
		Accounts: []*model.AccountConfig{
			{Address: "account.development", Name: "development", ID: devID, Partition: "aws"},
			{Address: "account.production", Name: "production", ID: prodID, Partition: "aws"},
		},
		Groups:   []*model.GroupConfig{{Address: "group.ops", Account: devID, Name: "Ops"}},
		Users:    []*model.UserConfig{{Address: "user.ann", Account: devID, Name: "Ann", Groups: []string{"Ops"}}},
		Policies: []*model.PolicyConfig{{Address: "policy.rw", Account: prodID, Name: "rw", Document: allow}},
		Roles: []*model.RoleConfig{
			{Address: "role.chain", Account: prodID, Name: "Chain", MaxSessionDuration: 3600, TrustDocument: trust(model.UserARN("aws", devID, "/", "Ann"))},
			{Address: "role.target", Account: prodID, Name: "Target", MaxSessionDuration: 3600, TrustDocument: trust(chainARN),
				ManagedPolicies: []string{model.PolicyARN("aws", prodID, "/", "rw")}, InlinePolicies: map[string]string{"notes": allow}},
		},
		Grants: []*model.GrantConfig{{Address: "grant.ops", Effect: "Allow", Roles: []string{chainARN},
			To: []model.PrincipalRef{{Kind: model.KindGroup, Account: devID, Name: "Ops"}}}},
	}
}

func openLocal(t *testing.T) *local.Provider {
	t.Helper()
	p, err := local.Open(local.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func plan(t *testing.T, cfg *model.Config, p engine.Provider, destroy bool) *model.Plan {
	t.Helper()
	pl, err := engine.MakePlan(context.Background(), cfg, p, engine.PlanOptions{Destroy: destroy})
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

func TestApplyConvergesAndDestroyEmpties(t *testing.T) {
	ctx := context.Background()
	cfg := stackConfig()
	p := openLocal(t)
	first := plan(t, cfg, p, false)
	if add, _, _ := first.Counts(); add != 9 {
		t.Fatalf("plan from empty adds %d objects, want 9:\n%v", add, names(first))
	}
	if err := engine.Apply(ctx, first, cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if again := plan(t, cfg, p, false); len(again.Changes) != 0 {
		t.Fatalf("plan after apply is not empty: %v", names(again))
	}
	if err := engine.Apply(ctx, plan(t, cfg, p, true), cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{devID, prodID} {
		a, _ := p.Read(ctx, &model.AccountConfig{ID: id, Partition: "aws"})
		if n := len(a.Roles) + len(a.Groups) + len(a.Users) + len(a.Policies); n != 0 {
			t.Fatalf("account %s holds %d objects after destroy", id, n)
		}
	}
}

// recorder is a Hooks that remembers what happened.
type recorder struct {
	mu       sync.Mutex
	finished []string
	failed   []string
	skipped  []string
}

func (r *recorder) Started(*model.Change) {}
func (r *recorder) Finished(c *model.Change, _ time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.failed = append(r.failed, engine.Describe(c))
		return
	}
	r.finished = append(r.finished, engine.Describe(c))
}
func (r *recorder) Skipped(c *model.Change, _ string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skipped = append(r.skipped, engine.Describe(c))
}

// A change the target refuses stops its dependents, not the rest; the next
// plan shows exactly what is left.
func TestApplySkipsDependentsOfAFailure(t *testing.T) {
	ctx := context.Background()
	cfg := stackConfig()
	cfg.Policies[0].Document = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}]}` // IAM refuses a principal here
	p := openLocal(t)
	rec := &recorder{}
	err := engine.Apply(ctx, plan(t, cfg, p, false), cfg, p, engine.ApplyOptions{Hooks: rec})
	if err == nil || !strings.Contains(err.Error(), "MalformedPolicyDocument") {
		t.Fatalf("want the policy's MalformedPolicyDocument, got %v", err)
	}
	if len(rec.failed) != 1 || len(rec.skipped) != 1 || !strings.Contains(rec.skipped[0], "attachment") {
		t.Fatalf("failed %v, skipped %v: want the policy failed and only its attachment skipped", rec.failed, rec.skipped)
	}
	if len(rec.finished) != 7 {
		t.Fatalf("finished %d changes, want the 7 independent of the policy: %v", len(rec.finished), rec.finished)
	}
	left := plan(t, cfg, p, false)
	if got := names(left); len(got) != 2 {
		t.Fatalf("after a partial apply the plan should hold the policy and its attachment, got %v", got)
	}
}

func TestIdentityMismatchStopsBeforeReading(t *testing.T) {
	cfg := stackConfig()
	p := &wrongAccount{Provider: openLocal(t)}
	_, err := engine.MakePlan(context.Background(), cfg, p, engine.PlanOptions{})
	if err == nil || !strings.Contains(err.Error(), "declared as 999999999999") || !strings.Contains(err.Error(), "222222222222") {
		t.Fatalf("want an error naming both account ids, got %v", err)
	}
	if p.reads != 0 {
		t.Fatalf("%d accounts were read despite the mismatch", p.reads)
	}
}

// wrongAccount wraps the local provider so that production's credentials
// answer from another account, as a mistyped profile would.
type wrongAccount struct {
	*local.Provider
	mu    sync.Mutex
	reads int
}

func (w *wrongAccount) Identity(ctx context.Context, a *model.AccountConfig) (engine.Identity, error) {
	if a.ID == prodID {
		return engine.Identity{Account: "222222222222", ARN: "arn:aws:iam::222222222222:user/someone"}, nil
	}
	return w.Provider.Identity(ctx, a)
}

func (w *wrongAccount) Read(ctx context.Context, a *model.AccountConfig) (*model.Account, error) {
	w.mu.Lock()
	w.reads++
	w.mu.Unlock()
	return w.Provider.Read(ctx, a)
}

func names(p *model.Plan) []string {
	out := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		out[i] = engine.Describe(c)
	}
	return out
}

// The last change to settle may be a dependent skipped after a failure; the
// run must still end with the error, not a crash.
func TestApplyEndsWhenTheLastChangeIsSkipped(t *testing.T) {
	ctx := context.Background()
	cfg := stackConfig()
	cfg.Roles, cfg.Grants, cfg.Groups, cfg.Users = nil, nil, nil, nil
	cfg.Policies[0].Document = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}]}`
	cfg.Roles = []*model.RoleConfig{{Address: "role.r", Account: prodID, Name: "R", MaxSessionDuration: 3600, TrustDocument: trust("arn:aws:iam::" + devID + ":root"),
		ManagedPolicies: []string{model.PolicyARN("aws", prodID, "/", "rw")}}}
	p := openLocal(t)
	pl := plan(t, cfg, p, false)
	// Only the failing policy and the attachment that needs it.
	pl.Changes = onlyKinds(pl.Changes, model.KindPolicy, model.KindAttachment)
	rec := &recorder{}
	err := engine.Apply(ctx, pl, cfg, p, engine.ApplyOptions{Hooks: rec})
	if err == nil || len(rec.skipped) != 1 {
		t.Fatalf("err %v, skipped %v: want the policy's error and its attachment skipped", err, rec.skipped)
	}
}

// onlyKinds keeps the changes of the given kinds and renumbers DependsOn.
func onlyKinds(cs []*model.Change, kinds ...model.Kind) []*model.Change {
	index := map[int]int{}
	var out []*model.Change
	for i, c := range cs {
		for _, k := range kinds {
			if c.Kind == k {
				index[i] = len(out)
				out = append(out, c)
			}
		}
	}
	for _, c := range out {
		var deps []int
		for _, d := range c.DependsOn {
			if j, ok := index[d]; ok {
				deps = append(deps, j)
			}
		}
		c.DependsOn = deps
	}
	return out
}

// The projected state of a plan is what the target holds after applying it.
func TestProjectMatchesTheAppliedTarget(t *testing.T) {
	ctx := context.Background()
	cfg := stackConfig()
	p := openLocal(t)
	first := plan(t, cfg, p, false)
	projected := engine.Project(first.Actual, first.Changes)
	if err := engine.Apply(ctx, first, cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	applied, _, err := engine.ReadAccounts(ctx, cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	// And the projection of a destroy is what destroy leaves.
	destroy := plan(t, cfg, p, true)
	projectedEmpty := engine.Project(destroy.Actual, destroy.Changes)
	for _, id := range []string{devID, prodID} {
		if got, want := summary(projected.Accounts[id]), summary(applied.Accounts[id]); got != want {
			t.Errorf("account %s projected:\n%s\napplied:\n%s", id, got, want)
		}
		if got := summary(projectedEmpty.Accounts[id]); got != "" {
			t.Errorf("account %s after a projected destroy still holds:\n%s", id, got)
		}
	}
}

// summary renders what matters of an account, in a stable order.
func summary(a *model.Account) string {
	var b strings.Builder
	for _, k := range sortedKeys(a.Roles) {
		r := a.Roles[k]
		fmt.Fprintf(&b, "role %s %s %d %v %v %v\n", r.Name, r.TrustPolicy, r.MaxSessionDuration, r.Tags, r.AttachedPolicies, sortedKeys(r.InlinePolicies))
	}
	for _, k := range sortedKeys(a.Policies) {
		fmt.Fprintf(&b, "policy %s %s\n", a.Policies[k].Name, a.Policies[k].Description)
	}
	for _, k := range sortedKeys(a.Groups) {
		g := a.Groups[k]
		fmt.Fprintf(&b, "group %s %s %v %v\n", g.Name, g.Path, g.AttachedPolicies, sortedKeys(g.InlinePolicies))
	}
	for _, k := range sortedKeys(a.Users) {
		u := a.Users[k]
		fmt.Fprintf(&b, "user %s %v %v %v\n", u.Name, u.Groups, u.AttachedPolicies, sortedKeys(u.InlinePolicies))
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// A grant on an existing group that has no inline policies yet (targets read
// that as a nil map) must appear in the projection.
func TestProjectAddsInlinePolicyToPrincipalWithNone(t *testing.T) {
	actual := model.NewState()
	actual.Account(devID, "aws").Groups["testers"] = &model.Group{Name: "Testers", Path: "/"}
	change := &model.Change{Action: model.Create, Kind: model.KindInline, Account: model.AccountRef{ID: devID, Partition: "aws"},
		Key:   model.InlineKey(devID, model.KindGroup, "Testers", "deny"),
		After: &model.InlinePolicy{PrincipalKind: model.KindGroup, PrincipalName: "Testers", Name: "deny", Document: allow}}
	got := engine.Project(actual, []*model.Change{change}).Accounts[devID].Groups["testers"].InlinePolicies["deny"]
	if got != allow {
		t.Fatalf("projected inline policy = %q, want the created document", got)
	}
	if actual.Accounts[devID].Groups["testers"].InlinePolicies != nil {
		t.Fatal("Project changed the actual state it was given")
	}
}

// An external account is named by trust policies but never reached: no
// identity check, no read, no change, and the plan lists it as external.
func TestExternalAccountIsNeverReached(t *testing.T) {
	const vendorID = "777777777777"
	cfg := stackConfig()
	cfg.Accounts = append(cfg.Accounts, &model.AccountConfig{Address: "account.vendor", Name: "vendor", ID: vendorID, Partition: "aws", External: true})
	cfg.Roles = append(cfg.Roles, &model.RoleConfig{Address: "role.vendor", Account: prodID, Name: "Vendor", MaxSessionDuration: 3600,
		TrustDocument: trust(model.RootARN("aws", vendorID))})
	p := &countingProvider{Provider: openLocal(t), refuse: vendorID}
	ctx := context.Background()
	pl := plan(t, cfg, p, false)
	if err := engine.Apply(ctx, pl, cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	if again := plan(t, cfg, p, false); len(again.Changes) != 0 {
		t.Fatalf("plan after apply: %v", names(again))
	}
	if p.touched != 0 {
		t.Fatalf("the external account was reached %d times", p.touched)
	}
	var external []string
	for _, a := range pl.Accounts {
		if a.External {
			external = append(external, a.Name)
		}
	}
	if !slices.Equal(external, []string{"vendor"}) {
		t.Errorf("plan accounts marked external: %v", external)
	}
}

// countingProvider fails every call for one account, counting them.
type countingProvider struct {
	*local.Provider
	refuse  string
	mu      sync.Mutex
	touched int
}

func (c *countingProvider) reached(id string) error {
	if id != c.refuse {
		return nil
	}
	c.mu.Lock()
	c.touched++
	c.mu.Unlock()
	return fmt.Errorf("no credentials for account %s", id)
}

func (c *countingProvider) Identity(ctx context.Context, a *model.AccountConfig) (engine.Identity, error) {
	if err := c.reached(a.ID); err != nil {
		return engine.Identity{}, err
	}
	return c.Provider.Identity(ctx, a)
}

func (c *countingProvider) Read(ctx context.Context, a *model.AccountConfig) (*model.Account, error) {
	if err := c.reached(a.ID); err != nil {
		return nil, err
	}
	return c.Provider.Read(ctx, a)
}

func (c *countingProvider) Apply(ctx context.Context, a *model.AccountConfig, ch *model.Change) error {
	if err := c.reached(a.ID); err != nil {
		return err
	}
	return c.Provider.Apply(ctx, a, ch)
}
