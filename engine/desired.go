package engine

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/hashicorp/go-multierror"

	"github.com/trustform/trustform/engine/policy"
)

// Desired turns a stack's configuration into the state it wants. Objects the
// stack declares with existing = true appear with Owned unset and hold only
// the stack's own inline policies (its grants and denies): those are the only
// part of them the stack manages.
func Desired(cfg *model.Config) (*model.State, error) {
	s, err := DesiredPolicies(cfg)
	// Last, with every child in place: the record of what the stack will
	// have applied to each role and user it owns (see AppliedTagKey).
	for _, a := range s.Accounts {
		for _, r := range a.Roles {
			if r.Owned {
				ownership.RecordRole(r)
			}
		}
		for _, u := range a.Users {
			if u.Owned {
				ownership.RecordUser(u)
			}
		}
	}
	return s, err
}

// DesiredPolicies is Desired without the records of what the stack applied
// (the tags the diff compares), for the loader's quota checks, which need
// the policies only: the records canonicalise every document of every
// owned role and user, a third of Desired's cost.
func DesiredPolicies(cfg *model.Config) (*model.State, error) {
	s := model.NewState()
	for _, a := range cfg.Managed() {
		s.Account(a.ID, a.Partition)
	}
	partitionOf := cfg.Partitions()
	acct := func(id string) *model.Account { return s.Account(id, partitionOf(id)) }
	owner := cfg.Stack.Name
	for _, k := range kindTable {
		if k.declare != nil {
			k.declare(cfg, owner, acct)
		}
	}
	// Inline policy names on one principal are compared without regard to
	// case, as IAM compares the names of users, groups, roles and managed
	// policies: inline_policy "Read" and a grant's policy_name "read" on one
	// role, or a grant's "assume" and a deny's "ASSUME" on one group, are
	// refused, naming both blocks, rather than left for IAM to merge.
	inlineFrom := inlineOrigins(cfg)
	var errs *multierror.Error
	for _, g := range cfg.Grants {
		name := ownership.InlineName(g, owner)
		doc := policy.Document{Version: policy.Version, Statements: []policy.Statement{{
			Effect: g.Effect, Actions: []string{"sts:AssumeRole"}, Resources: slices.Sorted(slices.Values(g.Roles)),
		}}}.JSON()
		for _, to := range g.To {
			inline := inlineOf(acct(to.Account), to.Kind, to.Name)
			if inline == nil {
				errs = multierror.Append(errs, fmt.Errorf("%s (%s): %s %q is not declared in the stack", g.Address, g.Source, to.Kind, to.Name))
				continue
			}
			if g.PolicyName != "" && !ownedPrincipal(acct(to.Account), to.Kind, to.Name) {
				errs = multierror.Append(errs, fmt.Errorf("%s (%s): policy_name is set, but %s %q is existing = true: on a principal the stack does not own, its inline policies are known by the prefix %q; remove policy_name, or adopt the %s (adopt = true)",
					g.Address, g.Source, to.Kind, to.Name, ownership.InlinePrefix(owner), to.Kind))
				continue
			}
			pk := principalKey{to.Account, to.Kind, model.NameKey(to.Name)}
			if inlineFrom[pk] == nil {
				inlineFrom[pk] = map[string]inlineOrigin{}
			}
			if first, taken := inlineFrom[pk][strings.ToLower(name)]; taken {
				same := "named"
				if first.name != name {
					same = "whose name differs only in case from"
				}
				errs = multierror.Append(errs, fmt.Errorf("%s (%s): %s %q already has an inline policy %s %q, from %s: "+
					"inline policy names on one principal must differ in more than case; give each grant its own policy_name",
					g.Address, g.Source, to.Kind, to.Name, same, first.name, first.block))
				continue
			}
			inlineFrom[pk][strings.ToLower(name)] = inlineOrigin{name: name, block: fmt.Sprintf("%s (%s)", g.Address, g.Source)}
			inline[name] = doc
		}
	}
	return s, errs.ErrorOrNil()
}

type principalKey struct {
	account string
	kind    model.Kind
	name    string // NameKey
}

// inlineOrigin is an inline policy name a block put on a principal.
type inlineOrigin struct {
	name  string // as written
	block string // the block, with its source, for messages
}

// inlineOrigins maps each principal the stack declares to the inline
// policies its own inline_policy blocks give it, keyed by lower-case name.
func inlineOrigins(cfg *model.Config) map[principalKey]map[string]inlineOrigin {
	out := map[principalKey]map[string]inlineOrigin{}
	add := func(account string, kind model.Kind, name, address string, src model.Source, inline map[string]string) {
		if len(inline) == 0 {
			return
		}
		m := map[string]inlineOrigin{}
		for _, pn := range slices.Sorted(maps.Keys(inline)) {
			m[strings.ToLower(pn)] = inlineOrigin{name: pn, block: fmt.Sprintf("inline_policy %q of %s (%s)", pn, address, src)}
		}
		out[principalKey{account, kind, model.NameKey(name)}] = m
	}
	for _, r := range cfg.Roles {
		add(r.Account, model.KindRole, r.Name, r.Address, r.Source, r.InlinePolicies)
	}
	for _, g := range cfg.Groups {
		add(g.Account, model.KindGroup, g.Name, g.Address, g.Source, g.InlinePolicies)
	}
	for _, u := range cfg.Users {
		add(u.Account, model.KindUser, u.Name, u.Address, u.Source, u.InlinePolicies)
	}
	return out
}

func inlineOf(a *model.Account, kind model.Kind, name string) map[string]string {
	switch kind {
	case model.KindRole:
		if r := a.Roles[model.NameKey(name)]; r != nil {
			return r.InlinePolicies
		}
	case model.KindGroup:
		if g := a.Groups[model.NameKey(name)]; g != nil {
			return g.InlinePolicies
		}
	case model.KindUser:
		if u := a.Users[model.NameKey(name)]; u != nil {
			return u.InlinePolicies
		}
	}
	return nil
}

func ownedPrincipal(a *model.Account, kind model.Kind, name string) bool {
	switch kind {
	case model.KindGroup:
		return a.Groups[model.NameKey(name)] != nil && a.Groups[model.NameKey(name)].Owned
	case model.KindUser:
		return a.Users[model.NameKey(name)] != nil && a.Users[model.NameKey(name)].Owned
	}
	return true // roles are always the stack's own
}

func mapOrEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}

func ownedTags(tags map[string]string, stack string, owned bool) map[string]string {
	out := maps.Clone(tags)
	if out == nil {
		out = map[string]string{}
	}
	if owned {
		out[ownership.OwnerTagKey] = stack
	}
	return out
}

func sortedNames(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(in))
}
