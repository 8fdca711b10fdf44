package engine

import "github.com/trustform/trustform/engine/model"

var roleOps = kindOps{
	project: func(a *model.Account, c *model.Change) {
		projectPrincipal(a.Roles, c, func(o model.Object) *model.Role { return o.(*model.Role) },
			func(old, nu *model.Role) {
				nu.AttachedPolicies, nu.InlinePolicies = old.AttachedPolicies, old.InlinePolicies
			})
	},
	same: func(current, want model.Object) bool {
		cur, ok := current.(*model.Role)
		return ok && len(roleAttrs(roleOnly(cur), roleOnly(want.(*model.Role)))) == 0
	},
	current: func(a *model.Account, o model.Object) model.Object {
		if r := a.Roles[model.NameKey(o.(*model.Role).Name)]; r != nil {
			return roleOnly(r)
		}
		return nil
	},
	// A role needs the principals its trust policy names.
	refs: func(_ string, o model.Object) []model.Key { return arnKeys(o.(*model.Role).TrustPolicy) },
}
