package access

import (
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// Diff compares who can assume which role in the states of two evaluators —
// in plans, the accounts as they are and as they will be — and returns every principal
// whose ability changed: gained, lost, or held under other conditions (with
// or without MFA, an ExternalId). Every role of the states is compared, the
// stack's or not, since a grant can open a role the stack does not own.
// The principals are those WhoCanAssume reports: the states' users, roles
// and sessions, and those trust policies name outside the states' accounts
// (an account root, "*", a service, a federated provider), compared by the
// string WhoCanAssume gives them.
// The result is sorted by role, then principal. Taking evaluators lets a
// caller that asks more of the same state (expectations) reuse the policies
// they have parsed.
//
// Besides principals, it reports delegations (engine.AccessDelegation): the
// account roots and "*" a role's trust policy admits judged alone (see
// Delegations), gained or lost, each with the principals of that account
// that can assume the role. Account roots and "*" are reported as
// delegations only, never also as principals.
func Diff(before, after *Evaluator) []model.AccessChange {
	every := func(string) bool { return true }
	return merged(changed(assumers(before, before.state), assumers(after, after.state)), delegationChanges(before, after, every))
}

// changed lists the role and principal pairs whose conditions differ
// between two assumer maps (see assumers), sorted by role, then principal.
func changed(was, will map[string][]string) []model.AccessChange {
	var out []model.AccessChange
	for _, key := range unionKeys(was, will) {
		b, hadB := was[key]
		a, hasA := will[key]
		if hadB && hasA && slices.Equal(b, a) {
			continue
		}
		role, principal, _ := strings.Cut(key, "\x00")
		out = append(out, model.AccessChange{Kind: model.AccessPrincipal, Role: role, Principal: principal, Before: b, After: a, CanBefore: hadB, CanAfter: hasA})
	}
	return out
}

// delegationChanges compares the delegations of the roles for which touched
// is true, and says for each change who in the trusted account can assume
// the role: after the plan for a delegation that starts or changes, before
// it for one that ends.
func delegationChanges(before, after *Evaluator, touched func(roleARN string) bool) []model.AccessChange {
	delegations := func(ev *Evaluator) map[string][]string {
		out := map[string][]string{}
		s := ev.state
		for _, id := range s.AccountIDs() {
			a := s.Accounts[id]
			for _, r := range a.Roles {
				arn := model.RoleARN(a.Partition, a.ID, r.Path, r.Name)
				if !touched(arn) {
					continue
				}
				for _, x := range ev.Delegations(arn) {
					out[arn+"\x00"+x.Principal] = sortedConditions(x)
				}
			}
		}
		return out
	}
	out := changed(delegations(before), delegations(after))
	for i := range out {
		c := &out[i]
		c.Kind = model.AccessDelegation
		ev := after
		if !c.CanAfter {
			ev = before
		}
		acct := accountOfPrincipal(c.Principal)
		c.TodayKnown = c.Principal == "*" || ev.state.Accounts[acct] != nil
		c.Today = []string{}
		for _, x := range ev.WhoCanAssume(c.Role) {
			if !x.Outside && (c.Principal == "*" || accountOfPrincipal(x.Principal) == acct) {
				c.Today = append(c.Today, x.Principal)
			}
		}
	}
	return out
}

// merged joins principal and delegation changes, sorted by role, then
// delegations before principals, then principal.
func merged(principals, delegations []model.AccessChange) []model.AccessChange {
	out := append(delegations, principals...)
	slices.SortStableFunc(out, func(a, b model.AccessChange) int {
		if c := strings.Compare(a.Role, b.Role); c != 0 {
			return c
		}
		if a.IsDelegation() != b.IsDelegation() {
			if a.IsDelegation() {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Principal, b.Principal)
	})
	return out
}

// assumers maps role and principal, joined by a NUL, to the conditions under
// which the principal can assume the role.
func assumers(ev *Evaluator, s *model.State) map[string][]string {
	out := map[string][]string{}
	for _, id := range s.AccountIDs() {
		a := s.Accounts[id]
		for _, r := range a.Roles {
			arn := model.RoleARN(a.Partition, a.ID, r.Path, r.Name)
			for _, x := range ev.WhoCanAssume(arn) {
				if !isDelegate(x.Principal) {
					out[arn+"\x00"+x.Principal] = sortedConditions(x)
				}
			}
		}
	}
	return out
}

func unionKeys(a, b map[string][]string) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// DiffChanges is Diff for a plan: the same result, computed only where the
// plan's changes can make a difference. Who can assume a role depends on the
// role's trust policy and on the principal's own policies; so the roles a
// change touches are compared with everyone (WhoCanAssume), and the
// principals whose policies a change touches (their inline policies,
// attachments and groups, the managed policies attached to them, their tags)
// are compared with every other role. A plan with no change has no access
// change. On a stack of thousands of objects this turns a comparison of
// every role with every principal into one proportional to the change.
func DiffChanges(before, after *Evaluator, changes []*model.Change) []model.AccessChange {
	if len(changes) == 0 {
		return nil
	}
	roles, principals := affected(before.state, after.state, changes)
	was, will := map[string][]string{}, map[string][]string{}
	for _, ev := range []struct {
		e   *Evaluator
		out map[string][]string
	}{{before, was}, {after, will}} {
		s := ev.e.state
		for _, id := range s.AccountIDs() {
			a := s.Accounts[id]
			for _, r := range a.Roles {
				arn := model.RoleARN(a.Partition, a.ID, r.Path, r.Name)
				if roles[arn] {
					for _, x := range ev.e.WhoCanAssume(arn) {
						if !isDelegate(x.Principal) {
							ev.out[arn+"\x00"+x.Principal] = sortedConditions(x)
						}
					}
					continue
				}
				for _, p := range ev.e.pairPrincipals(arn, principals) {
					if x, ok := ev.e.assumer(arn, p); ok {
						ev.out[arn+"\x00"+x.Principal] = sortedConditions(x)
					}
				}
			}
		}
	}
	// A delegation depends on the trust policy alone: only the roles whose
	// trust a change touches can gain or lose one.
	return merged(changed(was, will), delegationChanges(before, after, func(arn string) bool { return roles[arn] }))
}

func sortedConditions(x Assumer) []string {
	c := append([]string{}, x.Conditions...)
	slices.Sort(c)
	return c
}

// pairPrincipals are the affected principals to compare with a role the
// changes do not touch: each affected user or role of the state, and the
// sessions of affected roles that the role's trust policy names.
func (e *Evaluator) pairPrincipals(roleARN string, principals map[string]bool) []string {
	var out []string
	for p := range principals {
		if c, _ := e.findCaller(p); c != nil {
			out = append(out, p)
		}
	}
	role, _, _ := e.findRole(roleARN)
	if role == nil {
		return out
	}
	trust, err := e.parse(role.TrustPolicy)
	if err != nil {
		return out
	}
	for _, s := range trust.Statements {
		for _, v := range s.Principals["AWS"] {
			if _, svc, acct, res, ok := arnParts(v); ok && svc == "sts" && strings.HasPrefix(res, "assumed-role/") {
				name := strings.SplitN(strings.TrimPrefix(res, "assumed-role/"), "/", 2)[0]
				for p := range principals {
					if k, ok := model.ARNKey(p); ok && k == model.PrincipalKey(acct, model.KindRole, name) {
						if c, _ := e.findCaller(v); c != nil {
							out = append(out, c.arn)
						}
					}
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// assumer evaluates one principal of the state against one role, as
// WhoCanAssume does for each of its candidates.
func (e *Evaluator) assumer(roleARN, principal string) (Assumer, bool) {
	role, acct, _ := e.findRole(roleARN)
	if role == nil {
		return Assumer{}, false
	}
	target := model.RoleARN(partitionOf(acct), acct.ID, role.Path, role.Name)
	trust, err := e.parse(role.TrustPolicy)
	if err != nil {
		return Assumer{}, false
	}
	contexts, cut := e.candidateSearch(principal, trust, target)
	a, ok := leastContext(principal, contexts, func(ctx map[string][]string) Result {
		return e.CanAssume(principal, target, ctx)
	})
	if ok && cut {
		a.Result.Caveats = append(a.Result.Caveats, cutCaveat)
	}
	return a, ok
}

// affected returns the ARNs of the roles whose trust a change touches, and
// of the users and roles whose own permissions a change touches, looking at
// both states (a deleted group's members are in before, a new one's in
// after).
func affected(before, after *model.State, changes []*model.Change) (roles, principals map[string]bool) {
	roles, principals = map[string]bool{}, map[string]bool{}
	states := []*model.State{before, after}
	addPrincipal := func(account string, kind model.Kind, name string) {
		for _, s := range states {
			a := s.Accounts[account]
			if a == nil {
				continue
			}
			switch kind {
			case model.KindRole:
				if r := a.Roles[model.NameKey(name)]; r != nil {
					principals[model.RoleARN(a.Partition, a.ID, r.Path, r.Name)] = true
				}
			case model.KindUser:
				if u := a.Users[model.NameKey(name)]; u != nil {
					principals[model.UserARN(a.Partition, a.ID, u.Path, u.Name)] = true
				}
			case model.KindGroup:
				for _, u := range a.Users {
					if slices.ContainsFunc(u.Groups, func(g string) bool { return model.NameKey(g) == model.NameKey(name) }) {
						principals[model.UserARN(a.Partition, a.ID, u.Path, u.Name)] = true
					}
				}
			}
		}
	}
	for _, c := range changes {
		acct := c.Account.ID
		switch o := objectOf(c).(type) {
		case *model.Role:
			for _, s := range states {
				if a := s.Accounts[acct]; a != nil {
					if r := a.Roles[model.NameKey(o.Name)]; r != nil {
						roles[model.RoleARN(a.Partition, a.ID, r.Path, r.Name)] = true
					}
				}
			}
			addPrincipal(acct, model.KindRole, o.Name)
		case *model.User:
			addPrincipal(acct, model.KindUser, o.Name)
		case *model.Group:
			addPrincipal(acct, model.KindGroup, o.Name)
		case *model.InlinePolicy:
			addPrincipal(acct, o.PrincipalKind, o.PrincipalName)
		case *model.Attachment:
			addPrincipal(acct, o.PrincipalKind, o.PrincipalName)
		case *model.Membership:
			addPrincipal(acct, model.KindUser, o.User)
		case *model.ManagedPolicy:
			// Everyone it is attached to, in either state.
			for _, s := range states {
				a := s.Accounts[acct]
				if a == nil {
					continue
				}
				arn := model.PolicyARN(a.Partition, a.ID, o.Path, o.Name)
				for _, r := range a.Roles {
					if slices.Contains(r.AttachedPolicies, arn) {
						addPrincipal(acct, model.KindRole, r.Name)
					}
				}
				for _, u := range a.Users {
					if slices.Contains(u.AttachedPolicies, arn) {
						addPrincipal(acct, model.KindUser, u.Name)
					}
				}
				for _, g := range a.Groups {
					if slices.Contains(g.AttachedPolicies, arn) {
						addPrincipal(acct, model.KindGroup, g.Name)
					}
				}
			}
		}
	}
	return roles, principals
}

func objectOf(c *model.Change) model.Object {
	if c.After != nil {
		return c.After
	}
	return c.Before
}
