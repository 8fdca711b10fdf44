package engine

import (
	"errors"
	"fmt"
	"slices"

	"github.com/trustform/trustform/engine/policy"
)

// Two runs of a stack at once — two pipelines, or a pipeline and a person —
// plan the same changes. Providers re-read the object of a change just
// before they write it and decide with CheckCurrent: the second run finds
// the work done and stands aside (ErrAlreadyApplied), or finds the object
// changed under it and stops that change (ErrChangedSincePlan). Each change
// is thus made once.

// ErrAlreadyApplied is what a provider returns, wrapped with the detail,
// when it finds the object of a change already as the change would leave it:
// another run applied it between the plan and this write. Apply counts the
// change as done and tells the hooks (AlreadyAppliedHooks).
var ErrAlreadyApplied = errors.New("already applied")

// ErrChangedSincePlan is what a provider returns, wrapped with the detail,
// when the object of an update or delete is neither as the plan found it nor
// as the change would leave it: someone changed it since. The change is not
// made; a new plan shows what is there now.
var ErrChangedSincePlan = errors.New("changed since the plan was made")

// AlreadyAppliedHooks is implemented by Hooks that want to know which
// changes another run had made already.
type AlreadyAppliedHooks interface {
	AlreadyApplied(c *Change, detail string)
}

// Matches compares an object as it is now with a change's Before and After,
// on the attributes the change is about: it reports whether current is still
// as the plan found it, and whether it is already as the change leaves it.
// current is nil when the object does not exist. Providers call it just
// before a write, so that two runs at once apply each change once.
func Matches(c *Change, current Object) (asBefore, asAfter bool) {
	same := func(want Object) bool {
		if absent(want) || absent(current) {
			return absent(want) && absent(current)
		}
		switch w := want.(type) {
		case *Role:
			cur, ok := current.(*Role)
			return ok && len(roleAttrs(roleOnly(cur), roleOnly(w))) == 0
		case *ManagedPolicy:
			cur, ok := current.(*ManagedPolicy)
			return ok && cur.Path == w.Path && policy.Equivalent(cur.Document, w.Document)
		case *Group:
			cur, ok := current.(*Group)
			return ok && pathOr(cur.Path) == pathOr(w.Path)
		case *User:
			cur, ok := current.(*User)
			return ok && pathOr(cur.Path) == pathOr(w.Path) && len(userAttrs(userOnly(cur), userOnly(w))) == 0
		case *InlinePolicy:
			cur, ok := current.(*InlinePolicy)
			return ok && policy.Equivalent(cur.Document, w.Document)
		}
		// Attachments and memberships are there or not.
		return true
	}
	return same(c.Before), same(c.After)
}

// CheckCurrent decides what to do with a change given its object as it is
// just before the write (nil when absent): nil to go ahead, an error
// wrapping ErrAlreadyApplied when another run already made the change, or
// one wrapping ErrChangedSincePlan when the object is neither as planned nor
// as the change leaves it. Creating a role, policy, group or user that
// already exists in another form is left to the target, which refuses it.
func CheckCurrent(c *Change, current Object) error {
	if absent(c.Before) && absent(c.After) {
		return nil // a malformed change: the provider reports it
	}
	asBefore, asAfter := Matches(c, current)
	what := ObjectName(c)
	current = nilIfAbsent(current)
	switch c.Action {
	case Create:
		switch {
		case current == nil:
			return nil
		case asAfter:
			return fmt.Errorf("%w: %s exists already as this change creates it (another run made it)", ErrAlreadyApplied, what)
		case c.Kind == KindInline:
			return fmt.Errorf("%w: %s exists already with another document: plan again", ErrChangedSincePlan, what)
		}
		return nil
	case Update:
		switch {
		case current == nil:
			return fmt.Errorf("%w: %s no longer exists: plan again", ErrChangedSincePlan, what)
		case asAfter:
			return fmt.Errorf("%w: %s is already as this change leaves it (another run changed it)", ErrAlreadyApplied, what)
		case !asBefore:
			return fmt.Errorf("%w: %s is no longer as the plan found it (another run or a change by hand): plan again", ErrChangedSincePlan, what)
		}
	case Delete:
		// A delete goes ahead whatever became of the object's content
		// since the plan: the stack owns it and no longer wants it. But
		// not once it lost the ownership marker the plan found on it:
		// someone gave it back, or deleted it and made another under the
		// same name, and it may not be the stack's any more.
		if current == nil {
			return fmt.Errorf("%w: %s is gone already (another run deleted it)", ErrAlreadyApplied, what)
		}
		if owner := markedBy(c.Before); owner != "" && markedBy(current) != owner {
			return fmt.Errorf("%w: %s no longer carries the ownership marker of stack %q that the plan found on it, so it may not be the stack's any more: it is not deleted; plan again", ErrChangedSincePlan, what, owner)
		}
	}
	return nil
}

// CurrentObject finds the object of a change in an account as read, nil
// when it is not there. Roles, groups and users come without their
// children, as in changes.
func CurrentObject(a *Account, c *Change) Object {
	obj := c.After
	if absent(obj) {
		obj = c.Before
	}
	if absent(obj) {
		return nil
	}
	switch o := obj.(type) {
	case *Role:
		if r := a.Roles[NameKey(o.Name)]; r != nil {
			return roleOnly(r)
		}
	case *ManagedPolicy:
		if p := a.Policies[NameKey(o.Name)]; p != nil {
			return p.Clone()
		}
	case *Group:
		if g := a.Groups[NameKey(o.Name)]; g != nil {
			return groupOnly(g)
		}
	case *User:
		if u := a.Users[NameKey(o.Name)]; u != nil {
			return userOnly(u)
		}
	case *InlinePolicy:
		if doc, ok := inlineMapOf(a, o.PrincipalKind, o.PrincipalName)[o.Name]; ok {
			cur := *o
			cur.Document = doc
			return &cur
		}
	case *Attachment:
		if list := attachedOf(a, o.PrincipalKind, o.PrincipalName); list != nil && slices.Contains(*list, o.PolicyARN) {
			cur := *o
			return &cur
		}
	case *Membership:
		if u := a.Users[NameKey(o.User)]; u != nil && slices.ContainsFunc(u.Groups, func(g string) bool { return NameKey(g) == NameKey(o.Group) }) {
			cur := *o
			return &cur
		}
	}
	return nil
}

// absent reports whether an object is missing: nil, or a nil pointer of one
// of the object types.
func absent(o Object) bool {
	switch v := o.(type) {
	case nil:
		return true
	case *Role:
		return v == nil
	case *ManagedPolicy:
		return v == nil
	case *Group:
		return v == nil
	case *User:
		return v == nil
	case *InlinePolicy:
		return v == nil
	case *Attachment:
		return v == nil
	case *Membership:
		return v == nil
	}
	return false
}

func nilIfAbsent(o Object) Object {
	if absent(o) {
		return nil
	}
	return o
}
