package local

import (
	"fmt"

	"github.com/trustform/trustform/engine/model"
)

// applyChange carries out one engine change as the IAM calls a real client
// would make. Roles, groups and users in a change carry only their own
// attributes here; their policies and memberships travel as changes of their
// own, so the AttachedPolicies, InlinePolicies and Groups fields are ignored.
func (s *sim) applyChange(a *simAccount, ch *model.Change) error {
	switch ch.Kind {
	case model.KindRole:
		before, after, err := objects[*model.Role](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case model.Create:
			return s.createRole(a, after)
		case model.Update:
			return s.updateRole(a, before, after)
		case model.Delete:
			return s.deleteRole(a, before.Name)
		}
	case model.KindPolicy:
		before, after, err := objects[*model.ManagedPolicy](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case model.Create:
			return s.createPolicy(a, after)
		case model.Update:
			return s.updatePolicy(a, before, after)
		case model.Delete:
			return s.deletePolicy(a, before.Name)
		}
	case model.KindGroup:
		before, after, err := objects[*model.Group](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case model.Create:
			return s.createGroup(a, after)
		case model.Update:
			return s.updateGroup(a, before, after)
		case model.Delete:
			return s.deleteGroup(a, before.Name)
		}
	case model.KindUser:
		before, after, err := objects[*model.User](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case model.Create:
			return s.createUser(a, after)
		case model.Update:
			return s.updateUser(a, before, after)
		case model.Delete:
			return s.deleteUser(a, before.Name)
		}
	case model.KindInline:
		before, after, err := objects[*model.InlinePolicy](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case model.Create, model.Update:
			return s.putInline(a, after)
		case model.Delete:
			return s.deleteInline(a, before)
		}
	case model.KindAttachment:
		before, after, err := objects[*model.Attachment](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case model.Create:
			return s.attach(a, after)
		case model.Delete:
			return s.detach(a, before)
		}
	case model.KindMembership:
		before, after, err := objects[*model.Membership](ch)
		if err != nil {
			return err
		}
		switch ch.Action {
		case model.Create:
			return s.addUserToGroup(a, after)
		case model.Delete:
			return s.removeUserFromGroup(a, before)
		}
	default:
		return fmt.Errorf("local target: change %s: unknown kind %q", ch.Key, ch.Kind)
	}
	return fmt.Errorf("local target: change %s: action %q is not possible on a %s", ch.Key, ch.Action, ch.Kind)
}

// objects is engine.ChangeObjects with errors that name this target.
func objects[T interface {
	*model.Role | *model.ManagedPolicy | *model.Group | *model.User |
		*model.InlinePolicy | *model.Attachment | *model.Membership
	model.Object
}](ch *model.Change) (before, after T, err error) {
	before, after, err = model.ChangeObjects[T](ch)
	if err != nil {
		err = fmt.Errorf("local target: %w", err)
	}
	return before, after, err
}
