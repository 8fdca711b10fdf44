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
// Besides principals, it reports delegations (model.AccessDelegation): the
// account roots and "*" a role's trust policy admits judged alone (see
// Delegations), gained or lost, each with the principals of that account
// that can assume the role. Account roots and "*" are reported as
// delegations only, never also as principals.
func Diff(before, after *Evaluator) []model.AccessChange {
	every := func(string) bool { return true }
	return merged(changed(assumers(before, before.state), assumers(after, after.state)), delegationChanges(before, after, every))
}

// held is one principal's ability to assume one role: who, typed, and the
// conditions it must meet, sorted.
type held struct {
	role, principal model.Principal
	conditions      []string
}

// abilities maps a role's ARN and a principal, as WhoCanAssume reports it,
// joined by a NUL, to the principal's ability to assume the role. Keyed by
// text, the changes come out sorted by role, then principal.
type abilities map[string]held

func (m abilities) add(role model.Principal, x Assumer) {
	m[role.ARN()+"\x00"+x.Principal] = held{role, x.who, sortedConditions(x)}
}

// rolePrincipal is a role of the state as the role an access change is of.
func rolePrincipal(a *model.Account, r *model.Role) model.Principal {
	return model.Principal{Kind: model.PrincipalRole, Partition: partitionOf(a), Account: a.ID, Path: pathOf(r.Path), Name: r.Name}
}

// changed lists the role and principal pairs whose conditions differ
// between two maps of abilities, sorted by role, then principal.
func changed(was, will abilities) []model.AccessChange {
	var out []model.AccessChange
	for _, key := range unionKeys(was, will) {
		b, hadB := was[key]
		a, hasA := will[key]
		if hadB && hasA && slices.Equal(b.conditions, a.conditions) {
			continue
		}
		h := a
		if !hasA {
			h = b
		}
		out = append(out, model.AccessChange{Kind: model.AccessPrincipal, Role: h.role, Principal: h.principal,
			Before: b.conditions, After: a.conditions, CanBefore: hadB, CanAfter: hasA})
	}
	return out
}

// delegationChanges compares the delegations of the roles for which touched
// is true, and says for each change who in the trusted account can assume
// the role: after the plan for a delegation that starts or changes, before
// it for one that ends.
func delegationChanges(before, after *Evaluator, touched func(roleARN string) bool) []model.AccessChange {
	delegations := func(ev *Evaluator) abilities {
		out := abilities{}
		s := ev.state
		for _, id := range s.AccountIDs() {
			a := s.Accounts[id]
			for _, r := range a.Roles {
				role := rolePrincipal(a, r)
				if !touched(role.ARN()) {
					continue
				}
				for _, x := range ev.Delegations(role.ARN()) {
					out.add(role, x)
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
		// A delegation is to an account's root, whose account it names,
		// or to anyone, of every account read.
		anyone := c.Principal.Kind == model.PrincipalAnyone
		acct := c.Principal.Account
		c.TodayKnown = anyone || ev.state.Accounts[acct] != nil
		c.Today = []model.Principal{}
		for _, x := range ev.WhoCanAssume(c.Role.ARN()) {
			if !x.Outside && (anyone || x.who.Account == acct) {
				c.Today = append(c.Today, x.who)
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
		if c := strings.Compare(a.Role.ARN(), b.Role.ARN()); c != 0 {
			return c
		}
		if a.IsDelegation() != b.IsDelegation() {
			if a.IsDelegation() {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Principal.String(), b.Principal.String())
	})
	return out
}

// assumers maps every role of the state and each principal that can assume
// it, delegates aside, to its ability (see abilities).
func assumers(ev *Evaluator, s *model.State) abilities {
	out := abilities{}
	for _, id := range s.AccountIDs() {
		a := s.Accounts[id]
		for _, r := range a.Roles {
			role := rolePrincipal(a, r)
			for _, x := range ev.WhoCanAssume(role.ARN()) {
				if !isDelegate(x.who) {
					out.add(role, x)
				}
			}
		}
	}
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
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
	was, will := abilities{}, abilities{}
	for _, ev := range []struct {
		e   *Evaluator
		out abilities
	}{{before, was}, {after, will}} {
		s := ev.e.state
		index := ev.e.indexPrincipals(principals)
		for _, id := range s.AccountIDs() {
			a := s.Accounts[id]
			for _, r := range a.Roles {
				role := rolePrincipal(a, r)
				arn := role.ARN()
				if roles[arn] {
					for _, x := range ev.e.WhoCanAssume(arn) {
						if !isDelegate(x.who) {
							ev.out.add(role, x)
						}
					}
					continue
				}
				for _, p := range ev.e.pairPrincipals(arn, principals, index) {
					if x, ok := ev.e.assumer(arn, p); ok {
						ev.out.add(role, x)
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
// changes do not touch: each affected user or role of the state in an
// account the role's trust policy can let in (trustReach, as
// candidatePrincipals reads it: sts:AssumeRole needs the trust policy to
// allow the principal, whatever its own policies say), and the sessions of
// affected roles that the trust policy names. Without the filter, a plan of
// a few hundred changes across 1,000 accounts compared each of 2,000 roles
// with each changed principal, twice: 99.5% of those pairs could never
// match, and they cost some 50 s of CPU.
//
// The principals are looked up in the state once (index), not once per
// role: 500 changed principals against 2,000 roles were a million lookups.
func (e *Evaluator) pairPrincipals(roleARN string, principals map[string]bool, index principalIndex) []string {
	role, _, _ := e.findRole(roleARN)
	if role == nil {
		return nil
	}
	trust, err := e.parse(role.TrustPolicy)
	if err != nil {
		return nil
	}
	all, reach := trustReach(trust)
	var out []string
	if all {
		out = append(out, index.all...)
	} else {
		for acct := range reach {
			out = append(out, index.byAccount[acct]...)
		}
	}
	for _, s := range trust.Statements {
		for _, v := range s.Principals["AWS"] {
			session, err := model.ParsePrincipal(v)
			if err != nil || session.Kind != model.PrincipalAssumedRole {
				continue
			}
			role := model.PrincipalKey(session.Account, model.KindRole, session.Name)
			for p := range principals {
				if k, ok := model.ARNKey(p); ok && k == role {
					if c, _ := e.findCaller(v); c != nil {
						out = append(out, c.arn)
					}
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// principalIndex is the affected principals that are callers of one state
// (a user, a role or a role session it holds), all of them and by account.
type principalIndex struct {
	all       []string
	byAccount map[string][]string
}

func (e *Evaluator) indexPrincipals(principals map[string]bool) principalIndex {
	index := principalIndex{byAccount: map[string][]string{}}
	for p := range principals {
		if c, _ := e.findCaller(p); c != nil {
			index.all = append(index.all, p)
			index.byAccount[c.account] = append(index.byAccount[c.account], p)
		}
	}
	return index
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
	contexts, gap := e.candidateSearch(principal, trust, target)
	a, ok := leastContext(principal, candidate(principal), contexts, func(ctx map[string][]string) Result {
		return e.CanAssume(principal, target, ctx)
	})
	if ok && gap.cut {
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
