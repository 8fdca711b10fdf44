package engine

import (
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/policy"
)

var policyOps = kindOps{
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
