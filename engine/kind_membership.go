package engine

import (
	"slices"

	"github.com/trustform/trustform/engine/model"
)

var membershipOps = kindOps{
	kind: model.KindMembership,
	// A user block's groups declare its memberships.
	sources: func(cfg *model.Config, at func(model.Key, declared)) {
		for _, u := range cfg.Users {
			for _, g := range u.Groups {
				at(model.MembershipKey(u.Account, u.Name, g), declared{u.Address, u.Source})
			}
		}
	},
	diff: (*differ).memberships,
	project: func(a *model.Account, c *model.Change) {
		m := objectOf(c).(*model.Membership)
		u := a.Users[model.NameKey(m.User)]
		if u == nil {
			return
		}
		u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return model.NameKey(g) == model.NameKey(m.Group) })
		if c.Action != model.Delete {
			u.Groups = append(u.Groups, m.Group)
			slices.Sort(u.Groups)
		}
	},
	same: present,
	current: func(a *model.Account, o model.Object) model.Object {
		m := o.(*model.Membership)
		if u := a.Users[model.NameKey(m.User)]; u != nil && slices.ContainsFunc(u.Groups, func(g string) bool { return model.NameKey(g) == model.NameKey(m.Group) }) {
			cur := *m
			return &cur
		}
		return nil
	},
	// A membership needs its user and its group.
	refs: func(account string, o model.Object) []model.Key {
		m := o.(*model.Membership)
		return []model.Key{model.PrincipalKey(account, model.KindUser, m.User), model.PrincipalKey(account, model.KindGroup, m.Group)}
	},
}
