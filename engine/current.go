package engine

import (
	"errors"
	"fmt"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
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
	AlreadyApplied(c *model.Change, detail string)
}

// Matches compares an object as it is now with a change's Before and After,
// on the attributes the change is about: it reports whether current is still
// as the plan found it, and whether it is already as the change leaves it.
// current is nil when the object does not exist. Providers call it just
// before a write, so that two runs at once apply each change once.
func Matches(c *model.Change, current model.Object) (asBefore, asAfter bool) {
	same := func(want model.Object) bool {
		if model.Absent(want) || model.Absent(current) {
			return model.Absent(want) && model.Absent(current)
		}
		ops, ok := opsOf(want)
		return !ok || ops.same(current, want)
	}
	return same(c.Before), same(c.After)
}

// CheckCurrent decides what to do with a change given its object as it is
// just before the write (nil when absent): nil to go ahead, an error
// wrapping ErrAlreadyApplied when another run already made the change, or
// one wrapping ErrChangedSincePlan when the object is neither as planned nor
// as the change leaves it. Creating a role, policy, group or user that
// already exists in another form is left to the target, which refuses it.
func CheckCurrent(c *model.Change, current model.Object) error {
	if model.Absent(c.Before) && model.Absent(c.After) {
		return nil // a malformed change: the provider reports it
	}
	asBefore, asAfter := Matches(c, current)
	what := ObjectName(c)
	current = nilIfAbsent(current)
	switch c.Action {
	case model.Create:
		switch {
		case current == nil:
			return nil
		case asAfter:
			return fmt.Errorf("%w: %s exists already as this change creates it (another run made it)", ErrAlreadyApplied, what)
		case c.Kind == model.KindInline:
			return fmt.Errorf("%w: %s exists already with another document: plan again", ErrChangedSincePlan, what)
		}
		return nil
	case model.Update:
		switch {
		case current == nil:
			return fmt.Errorf("%w: %s no longer exists: plan again", ErrChangedSincePlan, what)
		case asAfter:
			return fmt.Errorf("%w: %s is already as this change leaves it (another run changed it)", ErrAlreadyApplied, what)
		case !asBefore:
			return fmt.Errorf("%w: %s is no longer as the plan found it (another run or a change by hand): plan again", ErrChangedSincePlan, what)
		}
	case model.Delete:
		// A delete goes ahead whatever became of the object's content
		// since the plan: the stack owns it and no longer wants it. But
		// not once it lost the ownership marker the plan found on it:
		// someone gave it back, or deleted it and made another under the
		// same name, and it may not be the stack's any more.
		if current == nil {
			return fmt.Errorf("%w: %s is gone already (another run deleted it)", ErrAlreadyApplied, what)
		}
		if owner := ownership.MarkedBy(c.Before); owner != "" && ownership.MarkedBy(current) != owner {
			return fmt.Errorf("%w: %s no longer carries the ownership marker of stack %q that the plan found on it, so it may not be the stack's any more: it is not deleted; plan again", ErrChangedSincePlan, what, owner)
		}
	}
	return nil
}

// CurrentObject finds the object of a change in an account as read, nil
// when it is not there. Roles, groups and users come without their
// children, as in changes.
func CurrentObject(a *model.Account, c *model.Change) model.Object {
	obj := c.After
	if model.Absent(obj) {
		obj = c.Before
	}
	if model.Absent(obj) {
		return nil
	}
	if ops, ok := opsOf(obj); ok {
		return ops.current(a, obj)
	}
	return nil
}

func nilIfAbsent(o model.Object) model.Object {
	if model.Absent(o) {
		return nil
	}
	return o
}
