package conformance_test

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
	"github.com/trustform/trustform/internal/conformance"
	"github.com/trustform/trustform/providers/local"
)

// The suite tested against the local target bent in known ways: bent in
// ways IAM itself differs from the local target (documents URL-encoded and
// reordered, empty collections instead of none), every subtest must still
// pass; broken the way a provider can be broken, the subtest that owns that
// behaviour must fail and say why. Without these a suite that passes could
// simply be checking nothing.

// bent wraps the local target, editing what it reads and applies.
type bent struct {
	engine.Provider
	read  func(acct *model.AccountConfig, a *model.Account) *model.Account
	apply func(c *model.Change) (*model.Change, bool) // false: report success, do nothing
	// kinds edits the kinds the target says it handles.
	kinds func([]model.Kind) []model.Kind
}

func (b *bent) HandledKinds() []model.Kind {
	kinds := b.Provider.(engine.KindLister).HandledKinds()
	if b.kinds != nil {
		return b.kinds(kinds)
	}
	return kinds
}

func (b *bent) Read(ctx context.Context, acct *model.AccountConfig) (*model.Account, error) {
	a, err := b.Provider.Read(ctx, acct)
	if err != nil || b.read == nil {
		return a, err
	}
	return b.read(acct, a), nil
}

func (b *bent) Apply(ctx context.Context, acct *model.AccountConfig, c *model.Change) error {
	if b.apply != nil {
		var ok bool
		if c, ok = b.apply(c); !ok {
			return nil
		}
	}
	return b.Provider.Apply(ctx, acct, c)
}

func harness(name string, bend func(b *bent)) conformance.Harness {
	return conformance.Harness{Name: name, New: func(t *testing.T) (engine.Provider, []*model.AccountConfig) {
		p, err := local.Open(local.Options{Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		b := &bent{Provider: p}
		if bend != nil {
			bend(b)
		}
		// No names or addresses: the suite must name the accounts itself.
		return b, []*model.AccountConfig{{ID: "999999999999", Partition: "aws"}, {ID: "111111111111"}}
	}}
}

// TestSuiteAcceptsIAMForms: AWS returns documents URL-encoded (RFC 3986: a
// space is %20), statements and lists in its own order, single values
// unwrapped; a target that does the same must pass. So must one that, like
// the aws target, leaves unread what IAM's account read lacks and the engine
// never compares: managed policies' tags, and the description and maximum
// session duration of roles without the owner tag — and reads the latter
// only in some reads (the aws target lists every role, with both, when that
// is fewer calls than getting each tagged role: here, when an account holds
// more than one tagged role).
func TestSuiteAcceptsIAMForms(t *testing.T) {
	reform := func(doc string) string {
		d, err := policy.Parse(doc)
		if err != nil {
			return doc
		}
		slices.Reverse(d.Statements)
		for i := range d.Statements {
			slices.Reverse(d.Statements[i].Actions)
		}
		// QueryEscape writes a space as "+" and a plus as %2B, so every
		// "+" left is a space.
		return strings.ReplaceAll(url.QueryEscape(d.Indented()), "+", "%20")
	}
	conformance.Run(t, harness("iam-forms", func(b *bent) {
		b.read = func(_ *model.AccountConfig, a *model.Account) *model.Account {
			tagged := 0
			for _, r := range a.Roles {
				if _, ok := r.Tags[ownership.OwnerTagKey]; ok {
					tagged++
				}
			}
			for _, r := range a.Roles {
				r.TrustPolicy = reform(r.TrustPolicy)
				r.InlinePolicies = reformAll(r.InlinePolicies, reform)
				r.Tags = orEmpty(r.Tags)
				if _, ok := r.Tags[ownership.OwnerTagKey]; !ok && tagged <= 1 {
					r.Description, r.MaxSessionDuration = "", 0 // not read
				}
			}
			for _, p := range a.Policies {
				p.Document = reform(p.Document)
				p.Tags = nil // not read
			}
			for _, g := range a.Groups {
				g.InlinePolicies = reformAll(g.InlinePolicies, reform)
				g.AttachedPolicies = orNone(g.AttachedPolicies)
			}
			for _, u := range a.Users {
				u.InlinePolicies = reformAll(u.InlinePolicies, reform)
				u.Tags = orEmpty(u.Tags)
			}
			return a
		}
	}))
}

func reformAll(in map[string]string, f func(string) string) map[string]string {
	out := map[string]string{}
	for k, v := range in {
		out[k] = f(v)
	}
	return out
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// brokenTargets are targets with one bug each, the subtest that must catch
// it, and a fragment of what it must say.
var brokenTargets = []struct {
	name    string
	bend    func(b *bent)
	subtest string
	says    string
}{
	{
		name: "handles-no-memberships",
		bend: func(b *bent) {
			b.kinds = func(kinds []model.Kind) []model.Kind {
				return slices.DeleteFunc(kinds, func(k model.Kind) bool { return k == model.KindMembership })
			}
		},
		subtest: "HandlesEveryKind", says: "the model declares",
	},
	{
		name: "read-loses-role-descriptions",
		bend: func(b *bent) {
			b.read = func(_ *model.AccountConfig, a *model.Account) *model.Account {
				for _, r := range a.Roles {
					r.Description = ""
				}
				return a
			}
		},
		subtest: "ChangeKinds", says: `description: want "first", got ""`,
	},
	{
		name:    "read-loses-aws-managed-attachments",
		bend:    func(b *bent) { b.read = dropAWSManaged },
		subtest: "ChangeKinds", says: "attached policies: want",
	},
	{
		name: "read-marks-ownership",
		bend: func(b *bent) {
			b.read = func(_ *model.AccountConfig, a *model.Account) *model.Account {
				for _, r := range a.Roles {
					r.Owned = true
				}
				return a
			}
		},
		subtest: "ChangeKinds", says: "read with Owned set",
	},
	{
		name: "read-keys-by-name",
		bend: func(b *bent) {
			b.read = func(_ *model.AccountConfig, a *model.Account) *model.Account {
				for k, r := range maps.Clone(a.Roles) {
					delete(a.Roles, k)
					a.Roles[r.Name] = r
				}
				return a
			}
		},
		subtest: "ChangeKinds", says: "not engine.NameKey(name)",
	},
	{
		name:    "read-returns-a-stale-snapshot",
		bend:    func(b *bent) { b.read = staleReads() },
		subtest: "EndToEnd", says: "the next plan is not empty",
	},
	{
		name: "apply-ignores-tag-removals",
		bend: func(b *bent) {
			b.apply = func(c *model.Change) (*model.Change, bool) {
				if u, ok := c.After.(*model.User); ok && c.Action == model.Update {
					before := c.Before.(*model.User)
					merged := u.Clone()
					merged.Tags = maps.Clone(before.Tags)
					maps.Copy(merged.Tags, u.Tags)
					cc := *c
					cc.After = merged
					return &cc, true
				}
				return c, true
			}
		},
		subtest: "ChangeKinds", says: `user "Uma": tag "env": unexpected`,
	},
	{
		name:    "apply-skips-memberships",
		bend:    func(b *bent) { b.apply = skip(model.KindMembership, model.Create) },
		subtest: "ChangeKinds", says: `user "Uma": groups: want [Team], got []`,
	},
	{
		name:    "apply-skips-policy-updates",
		bend:    func(b *bent) { b.apply = skip(model.KindPolicy, model.Update) },
		subtest: "PolicyVersionPruning", says: "default document: want",
	},
	{
		name:    "apply-skips-detaching",
		bend:    func(b *bent) { b.apply = skip(model.KindAttachment, model.Delete) },
		subtest: "DeleteOrdering", says: "DeleteConflict",
	},
	{
		name: "apply-skips-trust-reverts",
		// The drift case changes two roles outside the stack, then expects
		// the plan to revert them.
		bend:    func(b *bent) { b.apply = skipRoleUpdatesAfter(2) },
		subtest: "Drift", says: "after reverting drift the next plan is not empty",
	},
}

func dropAWSManaged(_ *model.AccountConfig, a *model.Account) *model.Account {
	isAWS := func(arn string) bool { return strings.HasPrefix(arn, "arn:aws:iam::aws:") }
	for _, r := range a.Roles {
		r.AttachedPolicies = slices.DeleteFunc(r.AttachedPolicies, isAWS)
	}
	for _, g := range a.Groups {
		g.AttachedPolicies = slices.DeleteFunc(g.AttachedPolicies, isAWS)
	}
	for _, u := range a.Users {
		u.AttachedPolicies = slices.DeleteFunc(u.AttachedPolicies, isAWS)
	}
	return a
}

// staleReads answers every read of an account with its first read.
func staleReads() func(*model.AccountConfig, *model.Account) *model.Account {
	var mu sync.Mutex
	first := map[string]*model.Account{}
	return func(acct *model.AccountConfig, a *model.Account) *model.Account {
		mu.Lock()
		defer mu.Unlock()
		if f, ok := first[acct.ID]; ok {
			return f.Clone()
		}
		first[acct.ID] = a.Clone()
		return a
	}
}

func skip(kind model.Kind, action model.Action) func(*model.Change) (*model.Change, bool) {
	return func(c *model.Change) (*model.Change, bool) { return c, c.Kind != kind || c.Action != action }
}

// skipRoleUpdatesAfter applies the first n role updates and drops the rest:
// the drift is made, its revert is lost.
func skipRoleUpdatesAfter(n int) func(*model.Change) (*model.Change, bool) {
	var mu sync.Mutex
	seen := 0
	return func(c *model.Change) (*model.Change, bool) {
		if c.Kind != model.KindRole || c.Action != model.Update {
			return c, true
		}
		mu.Lock()
		defer mu.Unlock()
		seen++
		return c, seen <= n
	}
}

const brokenEnv = "TRUSTFORM_CONFORMANCE_BROKEN_TARGET"

// TestBrokenTarget is the child process of TestSuiteCatchesBrokenTargets:
// it runs the suite against the broken target named in the environment and
// is expected to fail. Without that variable it does nothing.
func TestBrokenTarget(t *testing.T) {
	name := os.Getenv(brokenEnv)
	if name == "" {
		t.Skip("run by TestSuiteCatchesBrokenTargets")
	}
	for _, b := range brokenTargets {
		if b.name == name {
			conformance.Run(t, harness(name, b.bend))
			return
		}
	}
	t.Fatalf("no broken target %q", name)
}

// TestSuiteCatchesBrokenTargets runs each broken target in a child test
// process, since a failing subtest cannot be contained in this one, and
// checks that the subtest responsible failed with the expected finding.
func TestSuiteCatchesBrokenTargets(t *testing.T) {
	if os.Getenv(brokenEnv) != "" {
		t.Skip("inside a child process")
	}
	for _, b := range brokenTargets {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.CommandContext(t.Context(), os.Args[0],
				"-test.run=^TestBrokenTarget$/^"+b.name+"$/^"+b.subtest+"$", "-test.count=1")
			cmd.Env = append(os.Environ(), brokenEnv+"="+b.name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed a target that %s (err %v):\n%s", strings.ReplaceAll(b.name, "-", " "), err, out)
			}
			if want := "--- FAIL: TestBrokenTarget/" + b.name + "/" + b.subtest; !strings.Contains(string(out), want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
			if !strings.Contains(string(out), b.says) {
				t.Errorf("output does not say %q:\n%s", b.says, out)
			}
		})
	}
}
