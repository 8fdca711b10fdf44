package engine

import "slices"

// Project returns the state the accounts will hold once the changes are
// applied: actual, cloned, with every change carried out as a target would.
// Checks that must hold after a plan (expectations, who gains access) read
// the projected state, so they see the accounts' objects the stack does not
// own as well as its own.
func Project(actual *State, changes []*Change) *State {
	s := actual.Clone()
	for _, c := range changes {
		a := s.Account(c.Account.ID, c.Account.Partition)
		switch c.Kind {
		case KindRole:
			projectPrincipal(a.Roles, c, func(o Object) *Role { return o.(*Role) },
				func(old, nu *Role) { nu.AttachedPolicies, nu.InlinePolicies = old.AttachedPolicies, old.InlinePolicies })
		case KindGroup:
			projectPrincipal(a.Groups, c, func(o Object) *Group { return o.(*Group) },
				func(old, nu *Group) {
					nu.AttachedPolicies, nu.InlinePolicies = old.AttachedPolicies, old.InlinePolicies
				})
		case KindUser:
			projectPrincipal(a.Users, c, func(o Object) *User { return o.(*User) },
				func(old, nu *User) {
					nu.AttachedPolicies, nu.InlinePolicies, nu.Groups = old.AttachedPolicies, old.InlinePolicies, old.Groups
				})
		case KindPolicy:
			projectPrincipal(a.Policies, c, func(o Object) *ManagedPolicy { return o.(*ManagedPolicy) }, func(_, _ *ManagedPolicy) {})
		case KindInline:
			p := objectOf(c).(*InlinePolicy)
			inline := inlineMapOf(a, p.PrincipalKind, p.PrincipalName)
			if inline == nil {
				continue
			}
			if c.Action == Delete {
				delete(inline, p.Name)
			} else {
				inline[p.Name] = p.Document
			}
		case KindAttachment:
			p := objectOf(c).(*Attachment)
			list := attachedOf(a, p.PrincipalKind, p.PrincipalName)
			if list == nil {
				continue
			}
			*list = slices.DeleteFunc(*list, func(arn string) bool { return arn == p.PolicyARN })
			if c.Action != Delete {
				*list = append(*list, p.PolicyARN)
				slices.Sort(*list)
			}
		case KindMembership:
			m := objectOf(c).(*Membership)
			u := a.Users[NameKey(m.User)]
			if u == nil {
				continue
			}
			u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return NameKey(g) == NameKey(m.Group) })
			if c.Action != Delete {
				u.Groups = append(u.Groups, m.Group)
				slices.Sort(u.Groups)
			}
		}
	}
	return s
}

func objectOf(c *Change) Object {
	if c.After != nil {
		return c.After
	}
	return c.Before
}

// projectPrincipal creates, updates or deletes one top-level object. A create
// starts with no children; an update keeps the children the object had, since
// they change through changes of their own.
func projectPrincipal[T any](m map[string]*T, c *Change, as func(Object) *T, keepChildren func(old, nu *T)) {
	key := c.Key.ID
	switch c.Action {
	case Delete:
		delete(m, key)
	case Create:
		nu := cloneOf(as(c.After))
		m[key] = nu
	case Update, Adopt:
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
	case *Role:
		c := v.Clone()
		if c.InlinePolicies == nil {
			c.InlinePolicies = map[string]string{}
		}
		return any(c).(*T)
	case *Group:
		c := v.Clone()
		if c.InlinePolicies == nil {
			c.InlinePolicies = map[string]string{}
		}
		return any(c).(*T)
	case *User:
		c := v.Clone()
		if c.InlinePolicies == nil {
			c.InlinePolicies = map[string]string{}
		}
		return any(c).(*T)
	case *ManagedPolicy:
		return any(v.Clone()).(*T)
	}
	return o
}

func attachedOf(a *Account, kind Kind, name string) *[]string {
	switch kind {
	case KindRole:
		if r := a.Roles[NameKey(name)]; r != nil {
			return &r.AttachedPolicies
		}
	case KindGroup:
		if g := a.Groups[NameKey(name)]; g != nil {
			return &g.AttachedPolicies
		}
	case KindUser:
		if u := a.Users[NameKey(name)]; u != nil {
			return &u.AttachedPolicies
		}
	}
	return nil
}

// inlineMapOf returns a principal's inline policies, giving it an empty map
// if it had none (targets read "no inline policies" as nil).
func inlineMapOf(a *Account, kind Kind, name string) map[string]string {
	var m *map[string]string
	switch kind {
	case KindRole:
		if r := a.Roles[NameKey(name)]; r != nil {
			m = &r.InlinePolicies
		}
	case KindGroup:
		if g := a.Groups[NameKey(name)]; g != nil {
			m = &g.InlinePolicies
		}
	case KindUser:
		if u := a.Users[NameKey(name)]; u != nil {
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
