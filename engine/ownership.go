package engine

import "strings"

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
//     every inline policy is the stack's (the block declares the whole set);
//     on a principal it does not own (existing = true), the stack's inline
//     policies are those whose name starts with InlinePrefix(stack);
//   - attachments and memberships belong to the owned principal (or, for a
//     membership, the owned user) they hang off.

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
}

// OwnsInline reports whether the stack owns an inline policy of a principal.
func OwnsInline(principalOwned bool, stack, policyName string) bool {
	return principalOwned || strings.HasPrefix(policyName, InlinePrefix(stack))
}
