package access

import (
	"slices"
	"strings"

	"github.com/trustform/trustform/engine"
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
func Diff(before, after *Evaluator) []engine.AccessChange {
	was := assumers(before, before.state)
	will := assumers(after, after.state)
	var out []engine.AccessChange
	for _, key := range unionKeys(was, will) {
		b, hadB := was[key]
		a, hasA := will[key]
		if hadB && hasA && slices.Equal(b, a) {
			continue
		}
		role, principal, _ := strings.Cut(key, "\x00")
		out = append(out, engine.AccessChange{Role: role, Principal: principal, Before: b, After: a, CanBefore: hadB, CanAfter: hasA})
	}
	return out
}

// assumers maps role and principal, joined by a NUL, to the conditions under
// which the principal can assume the role.
func assumers(ev *Evaluator, s *engine.State) map[string][]string {
	out := map[string][]string{}
	for _, id := range s.AccountIDs() {
		a := s.Accounts[id]
		for _, r := range a.Roles {
			arn := engine.RoleARN(a.Partition, a.ID, r.Path, r.Name)
			for _, x := range ev.WhoCanAssume(arn) {
				c := append([]string{}, x.Conditions...)
				slices.Sort(c)
				out[arn+"\x00"+x.Principal] = c
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
