package engine

import (
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
		if ops, ok := kindOpsByKind[c.Kind]; ok {
			ops.project(a, c)
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
