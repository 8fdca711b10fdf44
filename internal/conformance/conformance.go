package conformance

import (
	"context"
	"slices"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
)

// Harness gives the suite fresh, empty accounts on one target.
type Harness struct {
	Name string
	// New returns a provider whose accounts hold nothing the suite did not
	// create (local: a new temp dir; aws: moto reset), and the configs of the
	// two accounts the suite uses: development 111111111111 and production
	// 999999999999 (partition aws).
	New func(t *testing.T) (engine.Provider, []*model.AccountConfig)
	// AWSManaged, optional, returns the document of an AWS managed policy
	// the target holds, by ARN. EvaluationCorpus attaches only the AWS
	// managed policies it knows, and the access evaluator reads their
	// documents from it (after those a case supplies), never from the
	// target. When it is nil, the evaluator resolves only what a case
	// supplies, and cases attaching an AWS managed policy are skipped.
	AWSManaged func(arn string) (document string, ok bool)
	// Unholdable, optional, says why the target cannot hold a state that
	// IAM can (a known deviation of the target), or returns "".
	// EvaluationCorpus skips such cases with the reason.
	Unholdable func(s *model.State) string
	// Organization, optional, makes the target describe an AWS organisation
	// (nil: none), as its administrators would make it. EvaluationCorpus
	// uses it for the cases that describe one, and reads the organisation
	// back through the provider (engine.OrganizationReader) through its
	// management account; without it those cases are skipped, with
	// NoOrganization as the reason. A target that cannot keep the spec's
	// IDs (AWS Organizations gives accounts, OUs and policies IDs of its
	// own) returns how it renamed them, each ID of the spec to the
	// target's: the suite then runs the case with every occurrence renamed,
	// its state in the renamed accounts (see renameCase). nil keeps them.
	Organization func(t *testing.T, p engine.Provider, spec *model.OrganizationSpec) (renamed map[string]string)
	// NoOrganization says why the target cannot hold the corpus's
	// organisations, when Organization is nil.
	NoOrganization string
}

// The accounts every harness provides, and the stack the suite plans as.
const (
	developmentID = "111111111111"
	productionID  = "999999999999"
	stackName     = "conformance"
)

// Run runs the whole suite against the harness's target, as subtests of a
// test named after the harness.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil {
		t.Fatal("conformance: Harness.New is nil")
	}
	name := h.Name
	if name == "" {
		name = "target"
	}
	subtests := []struct {
		name string
		run  func(t *testing.T, e *env)
	}{
		{"HandlesEveryKind", testHandlesEveryKind},
		{"ChangeKinds", testChangeKinds},
		{"PolicyVersionPruning", testPolicyVersionPruning},
		{"EndToEnd", testEndToEnd},
		{"Drift", testDrift},
		{"Ownership", testOwnership},
		{"DeleteOrdering", testDeleteOrdering},
		{"IdentityCheck", testIdentityCheck},
		{"EvaluationCorpus", testEvaluationCorpus},
	}
	t.Run(name, func(t *testing.T) {
		for _, st := range subtests {
			t.Run(st.name, func(t *testing.T) { st.run(t, newEnv(t, h)) })
		}
	})
}

// env is one subtest's view of a fresh harness: the provider, the two
// accounts, and helpers that fail the test with the target's own error.
type env struct {
	t    *testing.T
	ctx  context.Context
	prov engine.Provider
	dev  *model.AccountConfig
	prod *model.AccountConfig
	// awsManaged and targetUnholdable are Harness.AWSManaged and Harness.Unholdable.
	awsManaged       func(arn string) (string, bool)
	targetUnholdable func(s *model.State) string
	// setOrg and noOrg are Harness.Organization and Harness.NoOrganization.
	setOrg func(t *testing.T, p engine.Provider, spec *model.OrganizationSpec) map[string]string
	noOrg  string
}

// unholdableUser says why the target cannot hold user u in production, or
// "" when it can (or the harness does not say).
func (e *env) unholdableUser(u *model.User) string {
	if e.targetUnholdable == nil {
		return ""
	}
	s := model.NewState()
	a := model.NewAccount(e.prod.ID, "aws")
	a.Users[model.NameKey(u.Name)] = u
	s.Accounts[e.prod.ID] = a
	return e.targetUnholdable(s)
}

func newEnv(t *testing.T, h Harness) *env {
	t.Helper()
	prov, accounts := h.New(t)
	if prov == nil {
		t.Fatal("conformance: Harness.New returned no provider")
	}
	e := &env{t: t, ctx: t.Context(), prov: prov, awsManaged: h.AWSManaged, targetUnholdable: h.Unholdable, setOrg: h.Organization, noOrg: h.NoOrganization}
	e.dev = findAccount(t, accounts, developmentID, "development")
	e.prod = findAccount(t, accounts, productionID, "production")
	return e
}

// findAccount picks the harness's config of an account. It is copied, so the
// suite can name it for plans without changing the harness's value, and so
// whatever a target needs to reach the account (profile, assume_role) stays.
func findAccount(t *testing.T, accounts []*model.AccountConfig, id, name string) *model.AccountConfig {
	t.Helper()
	for _, a := range accounts {
		if a == nil || a.ID != id {
			continue
		}
		if a.Partition != "" && a.Partition != "aws" {
			t.Fatalf("conformance: account %s is in partition %q; the suite needs partition aws", id, a.Partition)
		}
		c := *a
		c.Partition = "aws"
		if c.Name == "" {
			c.Name = name
		}
		if c.Address == "" {
			c.Address = "account." + c.Name
		}
		return &c
	}
	t.Fatalf("conformance: Harness.New returned no config for account %s (%s)", id, name)
	return nil
}

// accounts lists both accounts in the order the suite declares them.
func (e *env) accounts() []*model.AccountConfig { return []*model.AccountConfig{e.dev, e.prod} }

// apply carries out changes one by one through the provider, in order.
func (e *env) apply(acct *model.AccountConfig, changes ...*model.Change) {
	e.t.Helper()
	for _, c := range changes {
		if err := e.prov.Apply(e.ctx, acct, c); err != nil {
			e.t.Fatalf("provider.Apply: %s: %v", engine.Describe(c), err)
		}
	}
}

// read reads an account and checks the parts of Read's contract that hold
// for any content: the right account, maps keyed by model.NameKey, and
// ownership left to ownership.MarkOwnership.
func (e *env) read(acct *model.AccountConfig) *model.Account {
	e.t.Helper()
	a, err := e.prov.Read(e.ctx, acct)
	if err != nil {
		e.t.Fatalf("provider.Read of account %s (%s): %v", acct.Name, acct.ID, err)
	}
	if a == nil {
		e.t.Fatalf("provider.Read of account %s (%s) returned nil", acct.Name, acct.ID)
	}
	if a.ID != acct.ID {
		e.t.Errorf("provider.Read of account %s returned account %q", acct.ID, a.ID)
	}
	for _, problem := range readContract(a) {
		e.t.Errorf("provider.Read of account %s (%s): %s", acct.Name, acct.ID, problem)
	}
	return a
}

// snapshot reads both accounts, keyed by account ID.
func (e *env) snapshot() map[string]*model.Account {
	e.t.Helper()
	out := map[string]*model.Account{}
	for _, a := range e.accounts() {
		out[a.ID] = e.read(a)
	}
	return out
}

// sameAsBefore fails the test with every difference between two snapshots
// of what no stack run has touched, except in what a target may leave unread
// on roles without the owner tag (see unreadCleared).
func (e *env) sameAsBefore(when string, before, after map[string]*model.Account) {
	e.t.Helper()
	for _, a := range e.accounts() {
		for _, d := range diffAccount(unreadCleared(before[a.ID]), unreadCleared(after[a.ID])) {
			e.t.Errorf("%s, account %s (%s) differs from before: %s", when, a.Name, a.ID, d)
		}
	}
}

// plan runs engine.MakePlan and fails the test on an error.
func (e *env) plan(cfg *model.Config, prov engine.Provider, destroy bool) *model.Plan {
	e.t.Helper()
	p, err := engine.MakePlan(e.ctx, cfg, prov, engine.PlanOptions{Destroy: destroy})
	if err != nil {
		e.t.Fatalf("engine.MakePlan (destroy=%v): %v", destroy, err)
	}
	return p
}

// applyPlan runs engine.Apply and fails the test on an error.
func (e *env) applyPlan(cfg *model.Config, prov engine.Provider, p *model.Plan) {
	e.t.Helper()
	if err := engine.Apply(e.ctx, p, cfg, prov, engine.ApplyOptions{}); err != nil {
		e.t.Fatalf("engine.Apply of a plan of %d changes: %v", len(p.Changes), err)
	}
}

// converge plans and applies cfg, then checks that the next plan is empty:
// what the target read back after the apply is what the stack declares.
func (e *env) converge(cfg *model.Config) {
	e.t.Helper()
	e.applyPlan(cfg, e.prov, e.plan(cfg, e.prov, false))
	e.wantEmptyPlan("after apply", cfg)
}

// wantEmptyPlan fails the test when cfg's plan has changes.
func (e *env) wantEmptyPlan(when string, cfg *model.Config) {
	e.t.Helper()
	if p := e.plan(cfg, e.prov, false); len(p.Changes) > 0 {
		e.t.Fatalf("%s the next plan is not empty:\n%s", when, describePlan(p))
	}
}

// with returns the env bound to a nested subtest's t.
func (e *env) with(t *testing.T) *env {
	c := *e
	c.t, c.ctx = t, t.Context()
	return &c
}

// testHandlesEveryKind checks that the target registers a handler for every
// kind of object the model declares (model.ChangeKinds): a kind added to the
// model fails here on every target until the target handles it.
func testHandlesEveryKind(t *testing.T, e *env) {
	lister, ok := e.prov.(engine.KindLister)
	if !ok {
		t.Fatalf("the target (%T) does not list the kinds it handles (engine.KindLister)", e.prov)
	}
	if got, want := lister.HandledKinds(), model.ChangeKinds(); !slices.Equal(got, want) {
		t.Fatalf("the target handles the kinds %v, the model declares %v", got, want)
	}
}
