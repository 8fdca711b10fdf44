package conformance

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/trustform/trustform/engine/policy"
)

// Comparison of accounts as targets read them back. Targets return the same
// IAM content in different forms, so the comparison is by meaning, in the
// same terms engine.Diff uses: documents by policy.Equivalent, tags and
// attachments as sets (an empty set and nil alike), an unset path as "/".
// Every other field is compared exactly, except managed policies' tags,
// which trustform does not manage (the engine neither sets nor diffs them,
// and IAM's account read does not return them): a target may leave them
// nil. Ownership flags are not compared: they are the engine's to set.

// diffAccount lists every difference between the account a test expects and
// the one a target returned, one finding a line, e.g.
// `role "Worker": description: want "b", got "a"`. No findings means equal.
func diffAccount(want, got *model.Account) []string {
	d := &differ{}
	if want == nil || got == nil {
		if want != got {
			d.addf("account: want %v, got %v", want != nil, got != nil)
		}
		return d.out
	}
	compareMap(d, "role", want.Roles, got.Roles, func(r *model.Role) string { return r.Name }, diffRole)
	compareMap(d, "managed policy", want.Policies, got.Policies, func(p *model.ManagedPolicy) string { return p.Name }, diffPolicy)
	compareMap(d, "group", want.Groups, got.Groups, func(g *model.Group) string { return g.Name }, diffGroup)
	compareMap(d, "user", want.Users, got.Users, func(u *model.User) string { return u.Name }, diffUser)
	return d.out
}

type differ struct{ out []string }

func (d *differ) addf(format string, args ...any) {
	d.out = append(d.out, fmt.Sprintf(format, args...))
}

// compareMap matches objects by map key (model.NameKey of the name) and
// compares each pair.
func compareMap[T any](d *differ, kind string, want, got map[string]T, name func(T) string, diff func(d *differ, where string, want, got T)) {
	for _, k := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[k]
		where := fmt.Sprintf("%s %q", kind, name(want[k]))
		if !ok {
			d.addf("%s: missing", where)
			continue
		}
		diff(d, where, want[k], g)
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			d.addf("%s %q: unexpected", kind, name(got[k]))
		}
	}
}

func diffRole(d *differ, where string, want, got *model.Role) {
	field(d, where, "name", want.Name, got.Name)
	field(d, where, "path", pathOr(want.Path), pathOr(got.Path))
	field(d, where, "description", want.Description, got.Description)
	field(d, where, "max_session_duration", fmt.Sprint(want.MaxSessionDuration), fmt.Sprint(got.MaxSessionDuration))
	doc(d, where, "trust_policy", want.TrustPolicy, got.TrustPolicy)
	field(d, where, "permissions_boundary", want.PermissionsBoundary, got.PermissionsBoundary)
	tags(d, where, want.Tags, got.Tags)
	set(d, where, "attached policies", want.AttachedPolicies, got.AttachedPolicies)
	inline(d, where, want.InlinePolicies, got.InlinePolicies)
}

func diffPolicy(d *differ, where string, want, got *model.ManagedPolicy) {
	field(d, where, "name", want.Name, got.Name)
	field(d, where, "path", pathOr(want.Path), pathOr(got.Path))
	field(d, where, "description", want.Description, got.Description)
	doc(d, where, "default document", want.Document, got.Document)
	// Tags are not compared: see the top of this file.
}

func diffGroup(d *differ, where string, want, got *model.Group) {
	field(d, where, "name", want.Name, got.Name)
	field(d, where, "path", pathOr(want.Path), pathOr(got.Path))
	set(d, where, "attached policies", want.AttachedPolicies, got.AttachedPolicies)
	inline(d, where, want.InlinePolicies, got.InlinePolicies)
}

func diffUser(d *differ, where string, want, got *model.User) {
	field(d, where, "name", want.Name, got.Name)
	field(d, where, "path", pathOr(want.Path), pathOr(got.Path))
	field(d, where, "permissions_boundary", want.PermissionsBoundary, got.PermissionsBoundary)
	tags(d, where, want.Tags, got.Tags)
	set(d, where, "groups", want.Groups, got.Groups)
	set(d, where, "attached policies", want.AttachedPolicies, got.AttachedPolicies)
	inline(d, where, want.InlinePolicies, got.InlinePolicies)
}

func field(d *differ, where, name, want, got string) {
	if want != got {
		d.addf("%s: %s: want %q, got %q", where, name, want, got)
	}
}

func doc(d *differ, where, name, want, got string) {
	if !policy.Equivalent(want, got) {
		d.addf("%s: %s: want %s, got %s", where, name, canonical(want), canonical(got))
	}
}

// canonical renders a document for a message in the form it was compared in.
func canonical(text string) string {
	p, err := policy.Parse(text)
	if err != nil {
		return fmt.Sprintf("%q (unparsable: %v)", text, err)
	}
	return p.CanonicalJSON()
}

func tags(d *differ, where string, want, got map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[k]
		switch {
		case !ok:
			d.addf("%s: tag %q: want %q, missing", where, k, want[k])
		case g != want[k]:
			d.addf("%s: tag %q: want %q, got %q", where, k, want[k], g)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			d.addf("%s: tag %q: unexpected (%q)", where, k, got[k])
		}
	}
}

func set(d *differ, where, name string, want, got []string) {
	w, g := sortedCopy(want), sortedCopy(got)
	if !slices.Equal(w, g) {
		d.addf("%s: %s: want [%s], got [%s]", where, name, strings.Join(w, " "), strings.Join(g, " "))
	}
}

func sortedCopy(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

func inline(d *differ, where string, want, got map[string]string) {
	for _, n := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[n]
		if !ok {
			d.addf("%s: inline policy %q: missing", where, n)
			continue
		}
		doc(d, where, fmt.Sprintf("inline policy %q", n), want[n], g)
	}
	for _, n := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[n]; !ok {
			d.addf("%s: inline policy %q: unexpected", where, n)
		}
	}
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// readContract lists what an account read from a target gets wrong whatever
// it holds: maps must be keyed by model.NameKey of the name (the engine looks
// objects up that way), and ownership flags must be unset (the engine sets
// them with ownership.MarkOwnership, so every target follows one set of rules).
func readContract(a *model.Account) []string {
	var out []string
	check := func(kind, key, name string, owned bool) {
		if key != model.NameKey(name) {
			out = append(out, fmt.Sprintf("%s %q is keyed %q, not engine.NameKey(name) %q", kind, name, key, model.NameKey(name)))
		}
		if owned {
			out = append(out, fmt.Sprintf("%s %q is read with Owned set; ownership is the engine's to mark", kind, name))
		}
	}
	for k, r := range a.Roles {
		check("role", k, r.Name, r.Owned)
	}
	for k, p := range a.Policies {
		check("managed policy", k, p.Name, p.Owned)
	}
	for k, g := range a.Groups {
		check("group", k, g.Name, g.Owned)
	}
	for k, u := range a.Users {
		check("user", k, u.Name, u.Owned)
	}
	slices.Sort(out)
	return out
}

// unreadCleared returns a copy of an account read from a target without what
// the target may leave unread, read or not from one read to the next: on
// roles that carry no owner tag (no stack's, whatever its name), the
// description and the maximum session duration, which the engine compares
// on owned roles only and IAM's account read lacks. The aws target reads
// them only for roles with the tag, or for every role when it lists them all
// to save calls. Snapshots of what the stack does not own are compared
// through it, so those fields are compared exactly on roles with the tag and
// not at all on others.
func unreadCleared(a *model.Account) *model.Account {
	if a == nil {
		return nil
	}
	c := a.Clone()
	for _, r := range c.Roles {
		if _, tagged := r.Tags[ownership.OwnerTagKey]; !tagged {
			r.Description, r.MaxSessionDuration = "", 0
		}
	}
	return c
}

// foreign returns the part of an account that a stack does not own: its
// owned roles, policies, groups and users removed, and on what remains the
// stack's own inline policies (grants and denies, named with its prefix) and
// memberships in its owned groups. What is left must be exactly what was
// there before the stack first ran.
func foreign(a *model.Account, stack string) *model.Account {
	c := a.Clone()
	ownership.MarkOwnership(c, stack)
	ownedGroups := map[string]bool{}
	for k, g := range c.Groups {
		if g.Owned {
			ownedGroups[k] = true
			delete(c.Groups, k)
		}
	}
	for k, r := range c.Roles {
		if r.Owned {
			delete(c.Roles, k)
			continue
		}
		r.InlinePolicies = withoutStackInline(r.InlinePolicies, stack)
	}
	for k, p := range c.Policies {
		if p.Owned {
			delete(c.Policies, k)
		}
	}
	for _, g := range c.Groups {
		g.InlinePolicies = withoutStackInline(g.InlinePolicies, stack)
	}
	for k, u := range c.Users {
		if u.Owned {
			delete(c.Users, k)
			continue
		}
		u.InlinePolicies = withoutStackInline(u.InlinePolicies, stack)
		u.Groups = slices.DeleteFunc(u.Groups, func(g string) bool { return ownedGroups[model.NameKey(g)] })
	}
	return c
}

func withoutStackInline(in map[string]string, stack string) map[string]string {
	out := maps.Clone(in)
	for n := range out {
		if ownership.OwnsInline(false, stack, n) {
			delete(out, n)
		}
	}
	return out
}

// ownedObjects lists what the stack owns in an account, for messages.
func ownedObjects(a *model.Account, stack string) []string {
	c := a.Clone()
	ownership.MarkOwnership(c, stack)
	var out []string
	// The stack's inline policies on principals it does not own are its
	// objects too (grants and denies).
	stackInline := func(kind, name string, policies map[string]string) {
		for n := range policies {
			if ownership.OwnsInline(false, stack, n) {
				out = append(out, fmt.Sprintf("inline policy %s of %s %s", n, kind, name))
			}
		}
	}
	for _, r := range c.Roles {
		if r.Owned {
			out = append(out, "role "+r.Name)
		}
		stackInline("role", r.Name, r.InlinePolicies)
	}
	for _, p := range c.Policies {
		if p.Owned {
			out = append(out, "managed policy "+p.Name)
		}
	}
	for _, g := range c.Groups {
		if g.Owned {
			out = append(out, "group "+g.Name)
		}
		stackInline("group", g.Name, g.InlinePolicies)
	}
	for _, u := range c.Users {
		if u.Owned {
			out = append(out, "user "+u.Name)
		}
		stackInline("user", u.Name, u.InlinePolicies)
	}
	slices.Sort(out)
	return out
}
