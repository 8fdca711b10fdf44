package conformance

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
)

// testDrift changes owned objects behind the engine's back, through the
// provider as someone with a console would, and checks that the next plan
// reverts exactly those changes and nothing else, labels each by what the
// stack's record (engine.AppliedTagKey) tells of it, and that applying it
// converges. Each drift touches a different object so that each shows as a
// change of its own.
func testDrift(t *testing.T, e *env) {
	e.seedExisting()
	cfg := e.stackConfig()
	e.converge(cfg)
	dev, prod := e.read(e.dev), e.read(e.prod)
	devRoot := engine.RootARN("aws", e.dev.ID)
	declaredTrust := cfg.Roles[slices.IndexFunc(cfg.Roles, func(r *engine.RoleConfig) bool { return r.Name == roleTarget })].TrustDocument

	drifts := []struct {
		name   string
		acct   *engine.AccountConfig
		drift  func(t *testing.T) *engine.Change
		revert engine.Action
		key    engine.Key
		attrs  []string // the attributes the revert lists, for updates
		label  engine.Drift
		check  func(t *testing.T, revert *engine.Change)
	}{
		{
			name: "a statement added to a trust policy",
			acct: e.prod,
			drift: func(t *testing.T) *engine.Change {
				have := prod.Roles[engine.NameKey(roleTarget)]
				r := have.Clone()
				doc, err := withStatement(have.TrustPolicy, assume(devRoot))
				if err != nil {
					t.Fatalf("the trust policy of %s as read back does not parse: %v", roleTarget, err)
				}
				r.TrustPolicy = doc
				return updateChange(e.prod, have, r)
			},
			revert: engine.Update,
			key:    engine.PrincipalKey(e.prod.ID, engine.KindRole, roleTarget),
			attrs:  []string{"trust_policy"},
			label:  engine.DriftChangedOutside,
			check: func(t *testing.T, c *engine.Change) {
				after, ok := c.After.(*engine.Role)
				if !ok || !policy.Equivalent(after.TrustPolicy, declaredTrust) {
					t.Errorf("the revert does not restore the declared trust policy: %+v", c.After)
				}
				before, ok := c.Before.(*engine.Role)
				if !ok || policy.Equivalent(before.TrustPolicy, declaredTrust) {
					t.Errorf("the revert's Before does not show the added statement: %+v", c.Before)
				}
			},
		},
		{
			name: "an inline policy added to an owned role",
			acct: e.prod,
			drift: func(*testing.T) *engine.Change {
				return createChange(e.prod, &engine.InlinePolicy{PrincipalKind: engine.KindRole, PrincipalName: roleChain,
					Name: "added-by-hand", Document: document(allow([]string{"iam:*"}, "*"))})
			},
			revert: engine.Delete,
			key:    engine.InlineKey(e.prod.ID, engine.KindRole, roleChain, "added-by-hand"),
			label:  engine.DriftAddedOutside,
		},
		{
			name: "an attachment removed from an owned role",
			acct: e.prod,
			drift: func(*testing.T) *engine.Change {
				return deleteChange(e.prod, &engine.Attachment{PrincipalKind: engine.KindRole, PrincipalName: roleTarget, PolicyARN: readOnlyAccessARN})
			},
			revert: engine.Create,
			key:    engine.AttachmentKey(e.prod.ID, engine.KindRole, roleTarget, readOnlyAccessARN),
			label:  engine.DriftDeletedOutside,
		},
		{
			name: "an owned role's record removed, as an older trustform left it",
			acct: e.prod,
			drift: func(*testing.T) *engine.Change {
				have := prod.Roles[engine.NameKey(roleUpdateApp)]
				r := have.Clone()
				for k := range r.Tags {
					if engine.IsAppliedTag(k) {
						delete(r.Tags, k)
					}
				}
				return updateChange(e.prod, have, r)
			},
			revert: engine.Update,
			key:    engine.PrincipalKey(e.prod.ID, engine.KindRole, roleUpdateApp),
			attrs:  []string{"tags." + engine.AppliedTagKey},
			label:  engine.DriftNone, // writing the first record is no drift
		},
		{
			name: "a tag changed",
			acct: e.dev,
			drift: func(*testing.T) *engine.Change {
				have := dev.Users[engine.NameKey(userAnn)]
				u := have.Clone()
				u.Tags["team"] = "someone-else"
				return updateChange(e.dev, have, u)
			},
			revert: engine.Update,
			key:    engine.PrincipalKey(e.dev.ID, engine.KindUser, userAnn),
			attrs:  []string{"tags.team"},
			label:  engine.DriftChangedOutside,
			check: func(t *testing.T, c *engine.Change) {
				if a := c.Attrs[0]; a.Before != "someone-else" || a.After != "platform" {
					t.Errorf("tags.team reverts from %q to %q, want from %q to %q", a.Before, a.After, "someone-else", "platform")
				}
			},
		},
		{
			name: "an extra attachment",
			acct: e.dev,
			drift: func(*testing.T) *engine.Change {
				return createChange(e.dev, &engine.Attachment{PrincipalKind: engine.KindGroup, PrincipalName: groupOps, PolicyARN: readOnlyAccessARN})
			},
			revert: engine.Delete,
			key:    engine.AttachmentKey(e.dev.ID, engine.KindGroup, groupOps, readOnlyAccessARN),
			label:  engine.DriftUnknown, // groups carry no record
		},
	}

	var want []string
	for _, d := range drifts {
		e.apply(d.acct, d.drift(t))
		want = append(want, entry(d.revert, d.key))
	}
	slices.Sort(want)
	p := e.plan(cfg, e.prov, false)
	if got := planEntries(p.Changes); !slices.Equal(got, want) {
		t.Fatalf("plan after drift:\n  %s\nwant exactly the reverts:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, d := range drifts {
		t.Run(d.name, func(t *testing.T) {
			c := p.Changes[slices.IndexFunc(p.Changes, func(c *engine.Change) bool { return c.Key == d.key })]
			if d.attrs != nil {
				names := make([]string, len(c.Attrs))
				for i, a := range c.Attrs {
					names[i] = a.Name
				}
				if !slices.Equal(names, d.attrs) {
					t.Fatalf("%s lists attributes %v, want %v", engine.Describe(c), names, d.attrs)
				}
			}
			if c.Drift != d.label {
				t.Errorf("%s is labelled %q, want %q", engine.Describe(c), c.Drift, d.label)
			}
			if d.check != nil {
				d.check(t, c)
			}
		})
	}
	e.applyPlan(cfg, e.prov, p)
	e.wantEmptyPlan("after reverting drift", cfg)
}
