package model

import (
	"fmt"
)

// Kind is the kind of IAM object a change is about.
type Kind string

// The kinds of object trustform manages. Attachments, inline policies and
// memberships are objects of their own so that they can be ordered around the
// principals and policies they join.
const (
	KindRole       Kind = "role"
	KindPolicy     Kind = "policy" // customer-managed policy
	KindGroup      Kind = "group"
	KindUser       Kind = "user"
	KindInline     Kind = "inline_policy"
	KindAttachment Kind = "attachment"
	KindMembership Kind = "membership"
	// KindAccount names a whole account in a PrincipalRef: anyone in it.
	// No change is about an account.
	KindAccount Kind = "account"
)

// Action is what a change does.
type Action string

// The actions a change can take.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	// Adopt takes over an object that exists and no stack owns (declared
	// with adopt = true): the stack records its ownership (the tag on a role
	// or user, the ledger for a group or managed policy) and brings the
	// attributes listed in Attrs in line, as an update would.
	Adopt Action = "adopt"
)

// Object is the value a change creates, updates or deletes: one of *Role,
// *ManagedPolicy, *Group, *User, *InlinePolicy, *Attachment or *Membership.
// Its kind is declared in kinds.go.
type Object interface{ kind() Kind }

func (*Role) kind() Kind          { return KindRole }
func (*ManagedPolicy) kind() Kind { return KindPolicy }
func (*Group) kind() Kind         { return KindGroup }
func (*User) kind() Kind          { return KindUser }
func (*InlinePolicy) kind() Kind  { return KindInline }
func (*Attachment) kind() Kind    { return KindAttachment }
func (*Membership) kind() Kind    { return KindMembership }

// InlinePolicy is an inline policy embedded in a role, group or user.
type InlinePolicy struct {
	PrincipalKind Kind   `json:"principal_kind"` // KindRole, KindGroup or KindUser
	PrincipalName string `json:"principal_name"`
	Name          string `json:"name"`
	Document      string `json:"document"`
}

// Attachment is a managed policy attached to a role, group or user.
type Attachment struct {
	PrincipalKind Kind   `json:"principal_kind"`
	PrincipalName string `json:"principal_name"`
	PolicyARN     string `json:"policy_arn"`
}

// Membership is a user's membership of a group.
type Membership struct {
	User  string `json:"user"`
	Group string `json:"group"`
}

// Change is one step of a plan: one object created, updated or deleted in one
// account. Before is nil for a create and After is nil for a delete.
type Change struct {
	Action  Action
	Kind    Kind
	Account AccountRef
	Key     Key // identity of the object, stable across plans
	// Address names the change for people and tools: unique in a plan and
	// the same in every plan of the same stack and accounts (see namer for
	// the forms), e.g. role.update_app, role.update_app.inline_policy["notes"]
	// or, for an object no block declares, account.production.role["Old"].
	Address string
	// Block is the block that declares the object (for a grant's inline
	// policy the grant, for a child the principal's block), LedgerAddress
	// for the adoption ledger, or "" when no block declares it (any more).
	Block string
	// Drift is what the stack knows of why the change is needed beyond its
	// configuration: the object changed outside the stack since the stack
	// applied it, or is no longer declared (see AppliedTagKey).
	Drift  Drift
	Before Object
	After  Object
	Attrs  []AttrDiff // attribute-level differences, in display order
	// DependsOn lists the indexes (in Plan.Changes) of the changes that must
	// succeed before this one starts.
	DependsOn []int
}

// Drift classifies a change by what the stack knows of the object's history.
// Roles and users the stack owns carry a record of what the stack applied to
// them and to their children (AppliedTagKey); the other kinds carry none.
type Drift string

// The drift classes. A create is DriftNone unless a record proves the object
// was there; DriftUnknown is given only to updates and deletes, where the
// reason matters to the reader.
const (
	// DriftNone: nothing is known of a change outside the stack; the change
	// follows the configuration (or, in a destroy plan, the destroy).
	DriftNone Drift = ""
	// DriftChangedOutside: the object is not as the stack last applied it.
	DriftChangedOutside Drift = "changed_outside"
	// DriftAddedOutside: the object is on a principal the stack owns, but
	// the stack never applied it.
	DriftAddedOutside Drift = "added_outside"
	// DriftDeletedOutside: the stack applied the object, and it is gone.
	DriftDeletedOutside Drift = "deleted_outside"
	// DriftNoLongerDeclared: the stack made or applied the object, and no
	// block declares it any more.
	DriftNoLongerDeclared Drift = "no_longer_declared"
	// DriftUnknown: the stack cannot tell whether the object changed outside
	// it or in its configuration: no record (a group's or managed policy's
	// children, or a principal last applied by a trustform that kept none).
	DriftUnknown Drift = "unknown"
)

// Outside reports whether the drift is a change made outside the stack.
func (d Drift) Outside() bool {
	return d == DriftChangedOutside || d == DriftAddedOutside || d == DriftDeletedOutside
}

// AccountRef names an account in plans and messages.
type AccountRef struct {
	Name      string `json:"name"` // the account block's name (e.g. "production")
	ID        string `json:"id"`
	Partition string `json:"partition"`
}

// AttrDiff is one attribute of a change. For a create Before is empty, for a
// delete After is empty. Policy documents set IsPolicy so views can render a
// statement-level diff.
type AttrDiff struct {
	Name     string `json:"name"`
	Before   string `json:"before"`
	After    string `json:"after"`
	IsPolicy bool   `json:"is_policy"`
}

// Key identifies an object across states: account, kind and IAM's own
// case-insensitive identity. For inline policies, attachments and memberships
// it includes the principal.
type Key struct {
	Account string `json:"account"`
	Kind    Kind   `json:"kind"`
	ID      string `json:"id"`
}

func (k Key) String() string { return k.Account + "/" + string(k.Kind) + "/" + k.ID }

// PrincipalKey returns the key of a role, group or user.
func PrincipalKey(account string, kind Kind, name string) Key {
	return Key{Account: account, Kind: kind, ID: NameKey(name)}
}

// PolicyKey returns the key of a customer-managed policy.
func PolicyKey(account, name string) Key {
	return Key{Account: account, Kind: KindPolicy, ID: NameKey(name)}
}

// InlineKey returns the key of an inline policy. Inline policy names are
// compared case-sensitively by IAM within a principal.
func InlineKey(account string, principalKind Kind, principal, name string) Key {
	return Key{Account: account, Kind: KindInline, ID: string(principalKind) + "/" + NameKey(principal) + "/" + name}
}

// AttachmentKey returns the key of an attachment.
func AttachmentKey(account string, principalKind Kind, principal, policyARN string) Key {
	return Key{Account: account, Kind: KindAttachment, ID: string(principalKind) + "/" + NameKey(principal) + "/" + policyARN}
}

// MembershipKey returns the key of a group membership.
func MembershipKey(account, user, group string) Key {
	return Key{Account: account, Kind: KindMembership, ID: NameKey(user) + "/" + NameKey(group)}
}

// ChangeObjects returns the Before and After of a change as the type its Kind
// implies, and checks that the action has what it needs: After for a create,
// Before for a delete, both for an update. Providers call it first in Apply;
// a malformed change is a bug in the caller, reported as a plain error.
func ChangeObjects[T Object](ch *Change) (before, after T, err error) {
	get := func(o Object, which string) (T, bool, error) {
		var zero T
		if o == nil {
			return zero, false, nil
		}
		v, ok := o.(T)
		if !ok {
			return zero, false, fmt.Errorf("change %s: %s of a %s change is a %T", ch.Key, which, ch.Kind, o)
		}
		// A typed nil pointer counts as absent.
		return v, !Absent(v), nil
	}
	before, hasBefore, err := get(ch.Before, "Before")
	if err != nil {
		return before, after, err
	}
	after, hasAfter, err := get(ch.After, "After")
	if err != nil {
		return before, after, err
	}
	needBefore := ch.Action == Update || ch.Action == Delete
	needAfter := ch.Action == Update || ch.Action == Create
	switch {
	case needBefore && !hasBefore:
		return before, after, fmt.Errorf("change %s: a %s needs Before", ch.Key, ch.Action)
	case needAfter && !hasAfter:
		return before, after, fmt.Errorf("change %s: a %s needs After", ch.Key, ch.Action)
	}
	return before, after, nil
}
