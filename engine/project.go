package engine

import (
	"slices"

	"github.com/trustform/trustform/engine/model"
)

// Project returns the state the accounts will hold once the changes are
// applied: actual, cloned, with every change carried out as a target would.
// Checks that must hold after a plan (expectations, who gains access) read
// the projected state, so they see the accounts' objects the stack does not
// own as well as its own.
func Project(actual *model.State, changes []*model.Change) *model.State {
	s := actual.Clone()
	for _, c := range changes {
		a := s.Account(c.Account.ID, c.Account.Partition)
		switch c.Kind {
		case model.KindRole:
			projectPrincipal(a.Roles, c, func(o model.Object) *model.Role { return o.(*model.Role) },
				func(old, nu *model.Role) {
					nu.AttachedPolicies, nu.InlinePolicies = old.AttachedPolicies, old.InlinePolicies
				})
		case model.KindGroup:
			projectPrincipal(a.Groups, c, func(o model.Object) *model.Group { return o.(*model.Group) },
				func(old, nu *model.Group) {
					nu.AttachedPolicies, nu.InlinePolicies = old.AttachedPolicies, old.InlinePolicies
				})
		case model.KindUser:
			projectPrincipal(a.Users, c, func(o model.Object) *model.User { return o.(*model.User) },
				func(old, nu *model.User) {
					nu.AttachedPolicies, nu.InlinePolicies, nu.Groups = old.AttachedPolicies, old.InlinePolicies, old.Groups
				})
		case model.KindPolicy:
			projectPrincipal(a.Policies, c, func(o model.Object) *model.ManagedPolicy { return o.(*model.ManagedPolicy) }, func(_, _ *model.ManagedPolicy) {})
		case model.KindInline:
			p := objectOf(c).(*model.InlinePolicy)
			inline := inlineMapOf(a, p.PrincipalKind, p.PrincipalName)
			if inline == nil {
				continue
			}
			if c.Action == model.Delete {
				delete(inline, p.Name)
			} else {
				inline[p.Name] = p.Document
			}
		case model.KindAttachment:
			p := objectOf(c).(*model.Attachment)
			list := attachedOf(a, p.PrincipalKind, p.PrincipalName)
			if list == nil {
				continue
			}
			*list = slices.DeleteFunc(*list, func(arn string) bool { return arn == p.PolicyARN })
			if c.Action != model.Delete {
				*list = append(*list, p.PolicyARN)
				slices.Sort(*list)
			}
		case model.KindMembership:
			m := objectOf(c).(*model.Membership)
			u := a.Users[model.NameKey(m.User)]
			if u == nil {
				continue
			}
			u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return model.NameKey(g) == model.NameKey(m.Group) })
			if c.Action != model.Delete {
				u.Groups = append(u.Groups, m.Group)
				slices.Sort(u.Groups)
			}
		}
	}
	return s
}

func objectOf(c *model.Change) model.Object {
	if c.After != nil {
		return c.After
	}
	return c.Before
}

// projectPrincipal creates, updates or deletes one top-level object. A create
// starts with no children; an update keeps the children the object had, since
// they change through changes of their own.
func projectPrincipal[T any](m map[string]*T, c *model.Change, as func(model.Object) *T, keepChildren func(old, nu *T)) {
	key := c.Key.ID
	switch c.Action {
	case model.Delete:
		delete(m, key)
	case model.Create:
		nu := cloneOf(as(c.After))
		m[key] = nu
	case model.Update, model.Adopt:
		nu := cloneOf(as(c.After))
		if old := m[key]; old != nil {
			keepChildren(old, nu)
		}
		m[key] = nu
	}
}

// cloneOf copies a top-level object and gives it empty child collections
// where it has none.
func cloneOf[T any](o *T) *T {
	switch v := any(o).(type) {
	case *model.Role:
		c := v.Clone()
		if c.InlinePolicies == nil {
			c.InlinePolicies = map[string]string{}
		}
		return any(c).(*T)
	case *model.Group:
		c := v.Clone()
		if c.InlinePolicies == nil {
			c.InlinePolicies = map[string]string{}
		}
		return any(c).(*T)
	case *model.User:
		c := v.Clone()
		if c.InlinePolicies == nil {
			c.InlinePolicies = map[string]string{}
		}
		return any(c).(*T)
	case *model.ManagedPolicy:
		return any(v.Clone()).(*T)
	}
	return o
}

func attachedOf(a *model.Account, kind model.Kind, name string) *[]string {
	switch kind {
	case model.KindRole:
		if r := a.Roles[model.NameKey(name)]; r != nil {
			return &r.AttachedPolicies
		}
	case model.KindGroup:
		if g := a.Groups[model.NameKey(name)]; g != nil {
			return &g.AttachedPolicies
		}
	case model.KindUser:
		if u := a.Users[model.NameKey(name)]; u != nil {
			return &u.AttachedPolicies
		}
	}
	return nil
}

// inlineMapOf returns a principal's inline policies, giving it an empty map
// if it had none (targets read "no inline policies" as nil).
func inlineMapOf(a *model.Account, kind model.Kind, name string) map[string]string {
	var m *map[string]string
	switch kind {
	case model.KindRole:
		if r := a.Roles[model.NameKey(name)]; r != nil {
			m = &r.InlinePolicies
		}
	case model.KindGroup:
		if g := a.Groups[model.NameKey(name)]; g != nil {
			m = &g.InlinePolicies
		}
	case model.KindUser:
		if u := a.Users[model.NameKey(name)]; u != nil {
			m = &u.InlinePolicies
		}
	}
	if m == nil {
		return nil
	}
	if *m == nil {
		*m = map[string]string{}
	}
	return *m
}
