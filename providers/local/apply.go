package local

import (
	"fmt"

	"github.com/trustform/trustform/engine"
)

// applyChange carries out one engine change as the IAM calls a real client
// would make. Roles, groups and users in a change carry only their own
// attributes here; their policies and memberships travel as changes of their
// own, so the AttachedPolicies, InlinePolicies and Groups fields are ignored.
func (s *sim) applyChange(a *simAccount, ch *engine.Change) error {
	switch ch.Kind {
	case engine.KindRole:
		before, after, err := objects[*engine.Role](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case engine.Create:
			return s.createRole(a, after)
		case engine.Update:
			return s.updateRole(a, before, after)
		case engine.Delete:
			return s.deleteRole(a, before.Name)
		}
	case engine.KindPolicy:
		before, after, err := objects[*engine.ManagedPolicy](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case engine.Create:
			return s.createPolicy(a, after)
		case engine.Update:
			return s.updatePolicy(a, before, after)
		case engine.Delete:
			return s.deletePolicy(a, before.Name)
		}
	case engine.KindGroup:
		before, after, err := objects[*engine.Group](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case engine.Create:
			return s.createGroup(a, after)
		case engine.Update:
			return s.updateGroup(a, before, after)
		case engine.Delete:
			return s.deleteGroup(a, before.Name)
		}
	case engine.KindUser:
		before, after, err := objects[*engine.User](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case engine.Create:
			return s.createUser(a, after)
		case engine.Update:
			return s.updateUser(a, before, after)
		case engine.Delete:
			return s.deleteUser(a, before.Name)
		}
	case engine.KindInline:
		before, after, err := objects[*engine.InlinePolicy](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case engine.Create, engine.Update:
			return s.putInline(a, after)
		case engine.Delete:
			return s.deleteInline(a, before)
		}
	case engine.KindAttachment:
		before, after, err := objects[*engine.Attachment](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case engine.Create:
			return s.attach(a, after)
		case engine.Delete:
			return s.detach(a, before)
		}
	case engine.KindMembership:
		before, after, err := objects[*engine.Membership](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case engine.Create:
			return s.addUserToGroup(a, after)
		case engine.Delete:
			return s.removeUserFromGroup(a, before)
		}
	default:
		return fmt.Errorf("local target: change %s: unknown kind %q", ch.Key, ch.Kind)
	}
	return fmt.Errorf("local target: change %s: action %q is not possible on a %s", ch.Key, ch.Action, ch.Kind)
}

// objects is engine.ChangeObjects with errors that name this target.
func objects[T interface {
	*engine.Role | *engine.ManagedPolicy | *engine.Group | *engine.User |
		*engine.InlinePolicy | *engine.Attachment | *engine.Membership
	engine.Object
}](ch *engine.Change) (before, after T, err error) {
	before, after, err = engine.ChangeObjects[T](ch)
	if err != nil {
		err = fmt.Errorf("local target: %w", err)
	}
	return before, after, err
}
