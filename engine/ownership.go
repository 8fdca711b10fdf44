package engine

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/policy"
)

// How trustform knows what it owns, without a state file. The record lives in
// the accounts themselves, on each object, in the cheapest form IAM allows:
//
//   - roles and users carry the tag OwnerTagKey = <stack name>, which
//     GetAccountAuthorizationDetails returns with them;
//   - customer-managed policies: IAM's account read lists them without
//     tags, so ownership is recorded at the end of their description,
//     PolicyOwnerMarker(stack), e.g. "[trustform:devprod]": a description
//     cannot change after creation, so the marker cannot drift and reading
//     it costs no call per policy;
//   - groups cannot be tagged, so an owned group is created under the path
//     OwnedGroupPath(stack), e.g. /trustform/devprod/;
//   - inline policies cannot be tagged either: on a principal the stack owns,
//     every inline policy is the stack's (the block declares the whole set)
//     but those named with another stack's prefix, which that stack put there
//     on a principal it declares existing = true; on a principal it does not
//     own (existing = true), the stack's inline policies are those whose name
//     starts with InlinePrefix(stack);
//   - attachments belong to the owned principal they hang off; a membership
//     to the owned user, or else the owned group, as the stack declares them
//     (existing = true gives a principal back) — a user another stack owns
//     has its memberships managed by that stack alone (differ.memberships).

// OwnerTagKey is the tag that marks a role or user as owned.
const OwnerTagKey = "trustform:stack"

// PolicyOwnerMarker ends the description of every managed policy a stack owns.
func PolicyOwnerMarker(stack string) string { return "[trustform:" + stack + "]" }

// PolicyDescription is the description a stack gives a managed policy: the
// declared one followed by the ownership marker.
func PolicyDescription(declared, stack string) string {
	if declared == "" {
		return PolicyOwnerMarker(stack)
	}
	return declared + " " + PolicyOwnerMarker(stack)
}

// OwnedGroupPath is the path of the groups a stack creates.
func OwnedGroupPath(stack string) string { return "/trustform/" + stack + "/" }

// InlinePrefix starts the name of every inline policy the stack puts on a
// principal it does not own (grants and denies).
func InlinePrefix(stack string) string { return "trustform." + stack + "." }

// MarkOwnership sets the Owned flag of every role, policy, group and user of
// an account read from a target, following the rules above.
func MarkOwnership(a *Account, stack string) {
	for _, r := range a.Roles {
		r.Owned = r.Tags[OwnerTagKey] == stack
	}
	for _, p := range a.Policies {
		p.Owned = strings.HasSuffix(p.Description, PolicyOwnerMarker(stack))
	}
	for _, g := range a.Groups {
		g.Owned = g.Path == OwnedGroupPath(stack)
	}
	for _, u := range a.Users {
		u.Owned = u.Tags[OwnerTagKey] == stack
	}
	markAdopted(a, stack)
}

// OwnsInline reports whether the stack owns an inline policy of a principal.
// On a principal it owns, that is every inline policy but those named with
// another stack's prefix: the grants and denies of a stack that declares the
// principal existing = true.
func OwnsInline(principalOwned bool, stack, policyName string) bool {
	if strings.HasPrefix(policyName, InlinePrefix(stack)) {
		return true
	}
	return principalOwned && InlineOwner(policyName) == ""
}

// inlinePrefixPattern matches the prefix of a stack's inline policy names:
// stack names hold no dot, so the stack is the second part.
var inlinePrefixPattern = regexp.MustCompile(`^trustform\.([A-Za-z0-9_-]+)\.`)

// InlineOwner returns the stack whose prefix an inline policy name carries,
// or "" for a name without one.
func InlineOwner(policyName string) string {
	if m := inlinePrefixPattern.FindStringSubmatch(policyName); m != nil {
		return m[1]
	}
	return ""
}

// Adoption. An object that existed before the stack (declared with
// adopt = true) cannot always carry the marker above: a managed policy's
// description cannot change, and a group's path is part of its ARN, which
// other policies name. Roles and users simply receive the tag. For groups
// and managed policies the stack keeps a ledger instead: a managed policy of
// its own (the description marker makes it the stack's) whose one statement
// lists the ARNs of the adopted objects as resources. The account read
// returns it with every other policy, so knowing what was adopted costs no
// call, and the ledger is visible to anyone who looks at the account.
//
// The statement denies an action no AWS service has, so the ledger grants
// and denies nothing even if someone attaches it.

// LedgerAction is the action of the ledger's statement.
const LedgerAction = "trustform:AdoptedByStack"

// ledgerSid names the ledger's statement for people reading it.
const ledgerSid = "TrustformAdoptedObjects"

// LedgerAddress stands in for a block address in plans: no block declares the
// ledger, the adopted blocks imply it.
const LedgerAddress = "adoption_ledger"

// ledgerBudget keeps each ledger document under IAM's 6,144-character limit
// for managed policies, with room for the statement around the ARNs.
const ledgerBudget = 6000

// LedgerName is the name of the stack's n-th ledger policy (from 0): a large
// adoption takes more than one, since a managed policy holds about a hundred
// ARNs.
func LedgerName(stack string, n int) string {
	name := "trustform." + stack + ".adopted"
	if n > 0 {
		name += "." + strconv.Itoa(n+1)
	}
	return name
}

// IsLedger reports whether a managed policy name is one of the stack's ledgers.
func IsLedger(stack, name string) bool {
	base := LedgerName(stack, 0)
	if NameKey(name) == NameKey(base) {
		return true
	}
	rest, ok := strings.CutPrefix(NameKey(name), NameKey(base)+".")
	if !ok || rest == "" {
		return false
	}
	_, err := strconv.Atoi(rest)
	return err == nil
}

// LedgerDescription is the description of a stack's ledger policies.
func LedgerDescription(stack string) string {
	return PolicyDescription("Objects adopted by trustform stack "+stack+"; trustform keeps this list, do not edit it.", stack)
}

// LedgerDocument renders a ledger's policy document for a set of ARNs.
func LedgerDocument(arns []string) string {
	return policy.Document{Version: policy.Version, Statements: []policy.Statement{{
		Sid: ledgerSid, Effect: "Deny", Actions: []string{LedgerAction}, Resources: slices.Sorted(slices.Values(arns)),
	}}}.JSON()
}

// LedgerEntries returns the ARNs a ledger document lists; a document that is
// not a ledger lists none.
func LedgerEntries(doc string) []string {
	d, err := policy.Parse(doc)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range d.Statements {
		if s.Effect == "Deny" && len(s.Actions) == 1 && s.Actions[0] == LedgerAction {
			out = append(out, s.Resources...)
		}
	}
	return out
}

// Ledgers packs a set of adopted ARNs into ledger policies for a stack: the
// fewest documents under IAM's size limit, filled in ARN order so that
// adding one object changes as few ledgers as possible.
func Ledgers(stack, partition, account string, arns []string) []*ManagedPolicy {
	sorted := slices.Sorted(slices.Values(arns))
	var out []*ManagedPolicy
	var batch []string
	size := 0
	flush := func() {
		out = append(out, &ManagedPolicy{
			Name: LedgerName(stack, len(out)), Path: OwnedGroupPath(stack), Description: LedgerDescription(stack),
			Document: LedgerDocument(batch), Owned: true,
		})
		batch, size = nil, 0
	}
	for _, arn := range sorted {
		if len(batch) > 0 && size+len(arn)+3 > ledgerBudget-200 {
			flush()
		}
		batch = append(batch, arn)
		size += len(arn) + 3
	}
	if len(batch) > 0 {
		flush()
	}
	return out
}

// adoptedARNs returns the ARNs the stack's ledgers in an account list.
func adoptedARNs(a *Account, stack string) map[string]bool {
	out := map[string]bool{}
	for _, p := range a.Policies {
		if p.Owned && IsLedger(stack, p.Name) {
			for _, arn := range LedgerEntries(p.Document) {
				out[arn] = true
			}
		}
	}
	return out
}

// markAdopted sets Owned on the groups and managed policies the stack's
// ledgers list. It runs after the marker rules, which decide the ledgers' own
// ownership.
func markAdopted(a *Account, stack string) {
	adopted := adoptedARNs(a, stack)
	if len(adopted) == 0 {
		return
	}
	// An entry never outweighs another stack's marker: the object it listed
	// may have been deleted and made again by that stack under the same ARN.
	for _, g := range a.Groups {
		if adopted[GroupARN(a.Partition, a.ID, g.Path, g.Name)] && markedBy(g) == "" {
			g.Owned = true
		}
	}
	for _, p := range a.Policies {
		if adopted[PolicyARN(a.Partition, a.ID, p.Path, p.Name)] && markedBy(p) == "" {
			p.Owned = true
		}
	}
}

// markedBy returns the stack whose ownership marker an object carries — a
// role's or user's tag, a group's path, the end of a managed policy's
// description — or "" for none (an adopted group or policy has none of its
// own: the ledger lists it). MarkOwnership, on the read path of every
// object, compares with one stack's marker directly instead.
func markedBy(o Object) string {
	switch o := o.(type) {
	case *Role:
		return o.Tags[OwnerTagKey]
	case *User:
		return o.Tags[OwnerTagKey]
	case *Group:
		if s, ok := strings.CutPrefix(o.Path, "/trustform/"); ok {
			return strings.TrimSuffix(s, "/")
		}
	case *ManagedPolicy:
		if m := foreignMarker.FindStringSubmatch(o.Description); m != nil {
			return m[1]
		}
	}
	return ""
}

var foreignMarker = regexp.MustCompile(`\[trustform:([\w+=,.@-]+)\]$`)

// OtherOwner returns the name of another trustform stack that owns an object
// read from an account, or "" when none does: such an object is never
// adopted. To ask of many objects of one account, use ForeignOwners, which
// reads the account's ledgers once.
func OtherOwner(a *Account, stack string, kind Kind, name string) string {
	return ForeignOwners(a, stack)(kind, name)
}

// ForeignOwners returns OtherOwner for one account and stack, with the
// ledgers of the account's other stacks indexed once: import asks it of
// every object of an account.
func ForeignOwners(a *Account, stack string) func(kind Kind, name string) string {
	var ledgered map[string]string // ARN → the other stack whose ledger lists it
	ledgeredBy := func(arn string) string {
		if ledgered == nil {
			ledgered = map[string]string{}
			for _, p := range a.Policies {
				m := foreignMarker.FindStringSubmatch(p.Description)
				if m == nil || m[1] == stack || !IsLedger(m[1], p.Name) {
					continue
				}
				for _, entry := range LedgerEntries(p.Document) {
					ledgered[entry] = m[1]
				}
			}
		}
		return ledgered[arn]
	}
	other := func(s string) string {
		if s != "" && s != stack {
			return s
		}
		return ""
	}
	return func(kind Kind, name string) string {
		switch kind {
		case KindRole:
			if r := a.Roles[NameKey(name)]; r != nil {
				return other(markedBy(r))
			}
		case KindUser:
			if u := a.Users[NameKey(name)]; u != nil {
				return other(markedBy(u))
			}
		case KindGroup:
			if g := a.Groups[NameKey(name)]; g != nil {
				if s := markedBy(g); s != "" {
					return other(s)
				}
				return ledgeredBy(GroupARN(a.Partition, a.ID, g.Path, g.Name))
			}
		case KindPolicy:
			if p := a.Policies[NameKey(name)]; p != nil {
				if s := markedBy(p); s != "" {
					return other(s)
				}
				return ledgeredBy(PolicyARN(a.Partition, a.ID, p.Path, p.Name))
			}
		}
		return ""
	}
}

// SameDescription compares managed policy descriptions as the stack sees
// them: with or without its ownership marker, since an adopted policy keeps
// the description it was created with.
func SameDescription(a, b, stack string) bool {
	strip := func(s string) string {
		return strings.TrimSpace(strings.TrimSuffix(s, PolicyOwnerMarker(stack)))
	}
	return strip(a) == strip(b)
}
