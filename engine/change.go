package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"
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
type Object interface{ object() }

func (*Role) object()          {}
func (*ManagedPolicy) object() {}
func (*Group) object()         {}
func (*User) object()          {}
func (*InlinePolicy) object()  {}
func (*Attachment) object()    {}
func (*Membership) object()    {}

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

// Addresses. A change's address starts from the block that declares the
// object, or from the object's own identity when no block does:
//
//	role.update_app                                   a role, group, user or policy block
//	account.production.role["Old"]                    one no block declares
//	role.update_app.inline_policy["notes"]            an inline policy of a principal
//	grant.developers_update_app.to[group.developers]  a grant's or deny's inline policy on one principal
//	role.update_app.managed_policy[policy.rw]         an attachment of a policy the stack declares
//	role.update_app.managed_policy["arn:aws:iam::aws:policy/ReadOnlyAccess"]
//	user.david.membership[group.developers]           a membership (["Name"] for an undeclared group)
//	account.production.adoption_ledger["trustform.devprod.adopted"]
//
// A principal is named by its block when one declares it (existing = true
// included), so that a child keeps its address whether or not a block still
// declares the child itself. Names are IAM's (case as declared, or as read
// when no block declares the object) and every part is unique in its
// account, so no two changes of a plan share an address.

// namer derives change addresses from a stack's blocks.
type namer struct {
	accounts map[string]string // account ID → account name
	blocks   map[Key]string    // role, group, user and policy keys → block address
	arns     map[string]string // managed policy ARN → its policy block
	grants   map[Key]string    // a grant's inline policy → its grant address
}

func newNamer(cfg *Config) *namer {
	n := &namer{accounts: map[string]string{}, blocks: map[Key]string{}, arns: map[string]string{}, grants: map[Key]string{}}
	for _, a := range cfg.Accounts {
		n.accounts[a.ID] = a.Name
	}
	for _, g := range cfg.Groups {
		n.blocks[PrincipalKey(g.Account, KindGroup, g.Name)] = g.Address
	}
	for _, u := range cfg.Users {
		n.blocks[PrincipalKey(u.Account, KindUser, u.Name)] = u.Address
	}
	for _, r := range cfg.Roles {
		n.blocks[PrincipalKey(r.Account, KindRole, r.Name)] = r.Address
	}
	for _, p := range cfg.Policies {
		n.blocks[PolicyKey(p.Account, p.Name)] = p.Address
		n.arns[PolicyARN(partitionOf(cfg, p.Account), p.Account, p.Path, p.Name)] = p.Address
	}
	for _, g := range cfg.Grants {
		for _, to := range g.To {
			target := n.blocks[PrincipalKey(to.Account, to.Kind, to.Name)]
			if target == "" {
				target = strconv.Quote(string(to.Kind) + "." + to.Name)
			}
			n.grants[InlineKey(to.Account, to.Kind, to.Name, g.InlineName(cfg.Stack.Name))] = g.Address + ".to[" + target + "]"
		}
	}
	return n
}

// address returns the address of a change Diff made.
func (n *namer) address(c *Change) string {
	o := c.After
	if o == nil {
		o = c.Before
	}
	acct := c.Account.ID
	switch v := o.(type) {
	case *Role:
		return n.object(acct, c.Key, KindRole, v.Name)
	case *Group:
		return n.object(acct, c.Key, KindGroup, v.Name)
	case *User:
		return n.object(acct, c.Key, KindUser, v.Name)
	case *ManagedPolicy:
		return n.object(acct, c.Key, KindPolicy, v.Name)
	case *InlinePolicy:
		if g, ok := n.grants[c.Key]; ok {
			return g
		}
		return n.principal(acct, v.PrincipalKind, v.PrincipalName) + ".inline_policy[" + strconv.Quote(v.Name) + "]"
	case *Attachment:
		ref, ok := n.arns[v.PolicyARN]
		if !ok {
			ref = strconv.Quote(v.PolicyARN)
		}
		return n.principal(acct, v.PrincipalKind, v.PrincipalName) + ".managed_policy[" + ref + "]"
	case *Membership:
		ref, ok := n.blocks[PrincipalKey(acct, KindGroup, v.Group)]
		if !ok {
			ref = strconv.Quote(v.Group)
		}
		return n.principal(acct, KindUser, v.User) + ".membership[" + ref + "]"
	}
	return n.account(acct) + "." + string(c.Kind) + "[" + strconv.Quote(c.Key.ID) + "]"
}

func (n *namer) principal(acct string, kind Kind, name string) string {
	return n.object(acct, PrincipalKey(acct, kind, name), kind, name)
}

func (n *namer) object(acct string, key Key, kind Kind, name string) string {
	if b, ok := n.blocks[key]; ok {
		return b
	}
	return n.account(acct) + "." + string(kind) + "[" + strconv.Quote(name) + "]"
}

func (n *namer) account(id string) string {
	if name, ok := n.accounts[id]; ok {
		return "account." + name
	}
	return "account[" + strconv.Quote(id) + "]"
}

// LedgerChangeAddress is the address of a change to one of the stack's
// ledger policies in an account.
func LedgerChangeAddress(ref AccountRef, policyName string) string {
	return "account." + ref.Name + "." + LedgerAddress + "[" + strconv.Quote(policyName) + "]"
}

// IsLedgerAddress reports whether a change address names an adoption
// ledger: a plan document carries addresses, not blocks. The bare
// LedgerAddress is what plans made before addresses were unique carry.
func IsLedgerAddress(address string) bool {
	return address == LedgerAddress || strings.HasPrefix(address, "account.") && strings.Contains(address, "."+LedgerAddress+"[")
}

// Hooks receives progress from Apply. The engine never prints; the CLI turns
// these calls into lines on a terminal or JSON events.
type Hooks interface {
	Started(c *Change)
	Finished(c *Change, elapsed time.Duration, err error)
	Skipped(c *Change, reason string)
}

// ChangeObjects returns the Before and After of a change as the type its Kind
// implies, and checks that the action has what it needs: After for a create,
// Before for a delete, both for an update. Providers call it first in Apply;
// a malformed change is a bug in the caller, reported as a plain error.
func ChangeObjects[T interface {
	*Role | *ManagedPolicy | *Group | *User | *InlinePolicy | *Attachment | *Membership
	Object
}](ch *Change) (before, after T, err error) {
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
		return v, v != nil, nil
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
