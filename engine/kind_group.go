package engine

import "github.com/trustform/trustform/engine/model"

var groupOps = kindOps{
	project: func(a *model.Account, c *model.Change) {
		projectPrincipal(a.Groups, c, func(o model.Object) *model.Group { return o.(*model.Group) },
			func(old, nu *model.Group) {
				nu.AttachedPolicies, nu.InlinePolicies = old.AttachedPolicies, old.InlinePolicies
			})
	},
	same: func(current, want model.Object) bool {
		cur, ok := current.(*model.Group)
		return ok && model.PathOr(cur.Path) == model.PathOr(want.(*model.Group).Path)
	},
	current: func(a *model.Account, o model.Object) model.Object {
		if g := a.Groups[model.NameKey(o.(*model.Group).Name)]; g != nil {
			return groupOnly(g)
		}
		return nil
	},
	refs: noRefs,
}
