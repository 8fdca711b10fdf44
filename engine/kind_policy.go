package engine

import (
	"maps"
	"slices"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
	"github.com/trustform/trustform/engine/policy"
)

var policyOps = kindOps{
	kind: model.KindPolicy,
	declare: func(cfg *model.Config, owner string, account func(string) *model.Account) {
		for _, p := range cfg.Policies {
			account(p.Account).Policies[model.NameKey(p.Name)] = desiredPolicy(p, owner)
		}
	},
	sources: func(cfg *model.Config, at func(model.Key, declared)) {
		for _, p := range cfg.Policies {
			at(model.PolicyKey(p.Account, p.Name), declared{p.Address, p.Source})
		}
	},
	// The stack's record of adopted objects is a managed policy of its own
	// that no block declares: Diff's ledger step keeps it.
	diff: func(d *differ, ref model.AccountRef, have, want *model.Account) {
		for _, k := range slices.Sorted(maps.Keys(want.Policies)) {
			d.policy(ref, have, have.Policies[k], want.Policies[k])
		}
		for _, k := range slices.Sorted(maps.Keys(have.Policies)) {
			if want.Policies[k] == nil && have.Policies[k].Owned && !ownership.IsLedger(d.stack, have.Policies[k].Name) && !ownership.IsAccessRecord(d.stack, have.Policies[k].Name) {
				d.policy(ref, have, have.Policies[k], nil)
			}
		}
	},
	project: func(a *model.Account, c *model.Change) {
		projectPrincipal(a.Policies, c, func(o model.Object) *model.ManagedPolicy { return o.(*model.ManagedPolicy) }, func(_, _ *model.ManagedPolicy) {})
	},
	same: func(current, want model.Object) bool {
		cur, ok := current.(*model.ManagedPolicy)
		w := want.(*model.ManagedPolicy)
		return ok && cur.Path == w.Path && policy.Equivalent(cur.Document, w.Document)
	},
	current: func(a *model.Account, o model.Object) model.Object {
		if p := a.Policies[model.NameKey(o.(*model.ManagedPolicy).Name)]; p != nil {
			return p.Clone()
		}
		return nil
	},
	refs: noRefs,
}

func (d *differ) policy(ref model.AccountRef, acct *model.Account, have, want *model.ManagedPolicy) {
	var key model.Key
	adopting := false
	if want != nil {
		key = model.PolicyKey(ref.ID, want.Name)
		if ownership.IsLedger(d.stack, want.Name) {
			d.fail("managed policy %q, declared by %s: the name is reserved for the stack's record of adopted objects; choose another name", want.Name, d.where(key))
			return
		}
		if ownership.IsAccessRecord(d.stack, want.Name) {
			d.fail("managed policy %q, declared by %s: the name is reserved for the stack's record of who can assume its roles; choose another name", want.Name, d.where(key))
			return
		}
		var ok bool
		if ok, adopting = d.claim(ref, acct, key, "managed policy", want.Name, have != nil, have != nil && have.Owned, want.Adopt); !ok {
			return
		}
	} else {
		key = model.PolicyKey(ref.ID, have.Name)
	}
	switch {
	case have == nil:
		d.add(&model.Change{Action: model.Create, Kind: model.KindPolicy, Account: ref, Key: key, After: want, Attrs: policyAttrs(nil, want)})
	case want == nil:
		d.add(&model.Change{Action: model.Delete, Kind: model.KindPolicy, Account: ref, Key: key, Before: have, Attrs: policyAttrs(have, nil), Drift: d.goneDrift(key)})
	default:
		if have.Path != want.Path {
			d.fail("managed policy %q in account %s: IAM cannot move a policy to another path (%s → %s); declared by %s: give it a new name to replace it", want.Name, acctLabel(ref), have.Path, want.Path, d.where(key))
			return
		}
		if !ownership.SameDescription(have.Description, want.Description, d.stack) {
			d.fail("managed policy %q in account %s: IAM cannot change a managed policy's description; declared by %s: keep the description, or give the policy a new name to replace it", want.Name, acctLabel(ref), d.where(key))
			return
		}
		// The description cannot change: the policy keeps the one it has
		// (an adopted policy's has no marker; the ledger records it).
		after := want.Clone()
		after.Description = have.Description
		switch attrs := policyAttrs(have, after); {
		case adopting:
			d.add(&model.Change{Action: model.Adopt, Kind: model.KindPolicy, Account: ref, Key: key, Before: have, After: after, Attrs: attrs})
		case len(attrs) > 0:
			// A managed policy carries no record: its document may have
			// changed in the stack or in the account.
			d.add(&model.Change{Action: model.Update, Kind: model.KindPolicy, Account: ref, Key: key, Before: have, After: after, Attrs: attrs, Drift: model.DriftUnknown})
		}
	}
}

func policyAttrs(have, want *model.ManagedPolicy) []model.AttrDiff {
	a := &attrs{partial: have != nil && want != nil}
	var h, w model.ManagedPolicy
	if have != nil {
		h = *have
	}
	if want != nil {
		w = *want
	}
	if !a.partial {
		a.str("name", h.Name, w.Name)
		a.str("path", h.Path, w.Path)
		a.str("description", h.Description, w.Description)
	}
	a.doc("document", h.Document, w.Document)
	// Managed policy tags are not managed: IAM's account read does not
	// return them (see schema's refusal of tags on policy blocks).
	return a.out
}

// desiredPolicy is the managed policy a block declares, its description
// ending with the stack's marker.
func desiredPolicy(p *model.PolicyConfig, owner string) *model.ManagedPolicy {
	return &model.ManagedPolicy{Name: p.Name, Path: model.PathOr(p.Path), Description: ownership.PolicyDescription(p.Description, owner), Document: p.Document, Owned: true, Adopt: p.Adopt}
}
