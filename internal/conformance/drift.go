package conformance

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
)

// testDrift changes owned objects behind the engine's back, through the
// provider as someone with a console would, and checks that the next plan
// reverts exactly those changes and nothing else, labels each by what the
// stack's record (ownership.AppliedTagKey) tells of it, and that applying it
// converges. Each drift touches a different object so that each shows as a
// change of its own.
func testDrift(t *testing.T, e *env) {
	e.seedExisting()
	cfg := e.stackConfig()
	e.converge(cfg)
	dev, prod := e.read(e.dev), e.read(e.prod)
	devRoot := model.RootARN("aws", e.dev.ID)
	declaredTrust := cfg.Roles[slices.IndexFunc(cfg.Roles, func(r *model.RoleConfig) bool { return r.Name == roleTarget })].TrustDocument

	drifts := []struct {
		name   string
		acct   *model.AccountConfig
		drift  func(t *testing.T) *model.Change
		revert model.Action
		key    model.Key
		attrs  []string // the attributes the revert lists, for updates
		label  model.Drift
		check  func(t *testing.T, revert *model.Change)
	}{
		{
			name: "a statement added to a trust policy",
			acct: e.prod,
			drift: func(t *testing.T) *model.Change {
				have := prod.Roles[model.NameKey(roleTarget)]
				r := have.Clone()
				doc, err := withStatement(have.TrustPolicy, assume(devRoot))
				if err != nil {
					t.Fatalf("the trust policy of %s as read back does not parse: %v", roleTarget, err)
				}
				r.TrustPolicy = doc
				return updateChange(e.prod, have, r)
			},
			revert: model.Update,
			key:    model.PrincipalKey(e.prod.ID, model.KindRole, roleTarget),
			attrs:  []string{"trust_policy"},
			label:  model.DriftChangedOutside,
			check: func(t *testing.T, c *model.Change) {
				after, ok := c.After.(*model.Role)
				if !ok || !policy.Equivalent(after.TrustPolicy, declaredTrust) {
					t.Errorf("the revert does not restore the declared trust policy: %+v", c.After)
				}
				before, ok := c.Before.(*model.Role)
				if !ok || policy.Equivalent(before.TrustPolicy, declaredTrust) {
					t.Errorf("the revert's Before does not show the added statement: %+v", c.Before)
				}
			},
		},
		{
			name: "an inline policy added to an owned role",
			acct: e.prod,
			drift: func(*testing.T) *model.Change {
				return createChange(e.prod, &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: roleChain,
					Name: "added-by-hand", Document: document(allow([]string{"iam:*"}, "*"))})
			},
			revert: model.Delete,
			key:    model.InlineKey(e.prod.ID, model.KindRole, roleChain, "added-by-hand"),
			label:  model.DriftAddedOutside,
		},
		{
			name: "an attachment removed from an owned role",
			acct: e.prod,
			drift: func(*testing.T) *model.Change {
				return deleteChange(e.prod, &model.Attachment{PrincipalKind: model.KindRole, PrincipalName: roleTarget, PolicyARN: readOnlyAccessARN})
			},
			revert: model.Create,
			key:    model.AttachmentKey(e.prod.ID, model.KindRole, roleTarget, readOnlyAccessARN),
			label:  model.DriftDeletedOutside,
		},
		{
			name: "an owned role's record removed, as an older trustform left it",
			acct: e.prod,
			drift: func(*testing.T) *model.Change {
				have := prod.Roles[model.NameKey(roleUpdateApp)]
				r := have.Clone()
				for k := range r.Tags {
					if ownership.IsAppliedTag(k) {
						delete(r.Tags, k)
					}
				}
				return updateChange(e.prod, have, r)
			},
			revert: model.Update,
			key:    model.PrincipalKey(e.prod.ID, model.KindRole, roleUpdateApp),
			attrs:  []string{"tags." + ownership.AppliedTagKey},
			label:  model.DriftNone, // writing the first record is no drift
		},
		{
			name: "a tag changed",
			acct: e.dev,
			drift: func(*testing.T) *model.Change {
				have := dev.Users[model.NameKey(userAnn)]
				u := have.Clone()
				u.Tags["team"] = "someone-else"
				return updateChange(e.dev, have, u)
			},
			revert: model.Update,
			key:    model.PrincipalKey(e.dev.ID, model.KindUser, userAnn),
			attrs:  []string{"tags.team"},
			label:  model.DriftChangedOutside,
			check: func(t *testing.T, c *model.Change) {
				if a := c.Attrs[0]; a.Before != "someone-else" || a.After != "platform" {
					t.Errorf("tags.team reverts from %q to %q, want from %q to %q", a.Before, a.After, "someone-else", "platform")
				}
			},
		},
		{
			name: "an extra attachment",
			acct: e.dev,
			drift: func(*testing.T) *model.Change {
				return createChange(e.dev, &model.Attachment{PrincipalKind: model.KindGroup, PrincipalName: groupOps, PolicyARN: readOnlyAccessARN})
			},
			revert: model.Delete,
			key:    model.AttachmentKey(e.dev.ID, model.KindGroup, groupOps, readOnlyAccessARN),
			label:  model.DriftUnknown, // groups carry no record
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
			c := p.Changes[slices.IndexFunc(p.Changes, func(c *model.Change) bool { return c.Key == d.key })]
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
