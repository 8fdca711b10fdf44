package engine

import "github.com/trustform/trustform/engine/model"

var userOps = kindOps{
	project: func(a *model.Account, c *model.Change) {
		projectPrincipal(a.Users, c, func(o model.Object) *model.User { return o.(*model.User) },
			func(old, nu *model.User) {
				nu.AttachedPolicies, nu.InlinePolicies, nu.Groups = old.AttachedPolicies, old.InlinePolicies, old.Groups
			})
	},
	same: func(current, want model.Object) bool {
		cur, ok := current.(*model.User)
		w := want.(*model.User)
		return ok && model.PathOr(cur.Path) == model.PathOr(w.Path) && len(userAttrs(userOnly(cur), userOnly(w))) == 0
	},
	current: func(a *model.Account, o model.Object) model.Object {
		if u := a.Users[model.NameKey(o.(*model.User).Name)]; u != nil {
			return userOnly(u)
		}
		return nil
	},
	refs: noRefs,
}
