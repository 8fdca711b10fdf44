package access

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/policy"
)

// Assumer is one principal that can assume a role, and the condition
// context under which it can.
type Assumer struct {
	// Principal is the user's or role's ARN (a role stands for its
	// sessions), or a session ARN; for principals outside the state's
	// accounts also an account's root ARN (any principal of that account
	// that its own policies allow), "*" (anyone), a service principal
	// (ec2.amazonaws.com) or a federated provider (its ARN or host).
	Principal string
	// Conditions say what the request must meet, in the words of the
	// policies that decided it (see render.go): every test of the allowing
	// statements with its operator and every value as written, e.g.
	// `with StringLike token.actions.githubusercontent.com:sub in
	// ["repo:my-org/app:*", "*"]`, "with MFA", `with ExternalId "x"`, and
	// the conditional denies it escapes, e.g. `unless StringLike
	// sts:ExternalId "bad-*"`. Tests on what describes the principal itself
	// are left out. Empty when the statements that allowed it test nothing.
	Conditions []string
	// Context is the condition context that was evaluated (nil when none was
	// needed): what the caller must pass.
	Context map[string][]string
	Result  Result // the evaluation under Context
	// Outside is true for a principal that is not a user, role or session
	// of the state's accounts — an account root, user, role or session of
	// another account, "*", a service or a federated provider — whose
	// Result covers the trust policy only.
	Outside bool
	// who is Principal read, as the evaluator found it: for a principal
	// outside the state, from the Principal element that named it, since
	// a service and a web identity provider are both named by a host. The
	// access diff carries it into model.AccessChange.
	who model.Principal
}

// WhoCanAssume lists who can assume the role, each with the least
// condition context under which it can, sorted by principal:
//
//   - every user and role in the state's accounts (and every session that
//     the role's trust policy names), evaluated in full, identity and trust;
//   - every principal the trust policy's Allow statements name outside the
//     state's accounts (see outsiders), evaluated on the trust side only,
//     since their own policies are unknown: an account root ("any principal
//     of that account that its own policies allow"), a user, role or
//     session of such an account, "*", a service, a federated provider.
//
// The contexts tried are derived from the policies involved: the values the
// trust policy's and the principal's allow statements test for (MFA, an
// ExternalId, a source IP, ...), and values that turn off conditional
// denies, every deny at once. Keys that describe a principal of the state
// (aws:PrincipalArn, aws:PrincipalTag/..., aws:username) are never
// invented: those come from the state, and policy variables in the values
// tested (${aws:username}, ${aws:PrincipalTag/team}, ...) take the
// principal's own values, as when its request is evaluated. Keys that a
// service or federated principal never presents are never chosen for it.
//
// For each principal, only the statements that can apply to it are read:
// the trust statements that name it (or its account, or "*"), and its
// identity statements whose Resource can cover the role. Every trust
// statement that names it is tried; the combinations with the identity
// allows and the ways around the denies are bounded (maxContexts). A
// principal found allowed under a search that was cut says so in its
// caveats; one that nothing tried allowed under a cut search is not listed
// (nothing allowed it) but named in every listed assumer's caveats, and
// returned by SearchAssumers.
func (e *Evaluator) WhoCanAssume(roleARN string) []Assumer {
	out, _ := e.SearchAssumers(roleARN)
	return out
}

// SearchAssumers is WhoCanAssume, with the principals it could not decide:
// those the trust policy can name, that no context tried allows, and for
// which the contexts tried were cut at the bound (maxContexts) — some other
// context might allow them. Each listed assumer's caveats name them too, so
// that a review that reads only WhoCanAssume still sees that the answer is
// incomplete. Nobody is listed without an evaluation that allowed it.
func (e *Evaluator) SearchAssumers(roleARN string) (assumers []Assumer, undecided []string) {
	role, acct, _ := e.findRole(roleARN)
	if role == nil {
		return nil, nil
	}
	target := model.RoleARN(partitionOf(acct), acct.ID, role.Path, role.Name)
	trust, err := e.parse(role.TrustPolicy)
	if err != nil {
		return nil, nil
	}
	var out []Assumer
	var gaps []string // why, per undecided principal
	keep := func(principal string, a Assumer, ok bool, gap searchGap) {
		switch {
		case ok && gap.cut:
			a.Result.Caveats = append(a.Result.Caveats, cutCaveat)
			fallthrough
		case ok:
			out = append(out, a)
		case gap.incomplete():
			undecided = append(undecided, principal)
			gaps = append(gaps, principal+" ("+gap.why()+")")
		}
	}
	for _, p := range e.candidatePrincipals(trust) {
		if c, _ := e.findCaller(p); c != nil && c.account != acct.ID && !e.mayAllowAssumeRole(c) {
			// Another account's principal whose own policies allow no
			// sts:AssumeRole at all: no context can let it in.
			continue
		}
		contexts, gap := e.candidateSearch(p, trust, target)
		a, ok := leastContext(p, candidate(p), contexts, func(ctx map[string][]string) Result {
			return e.CanAssume(p, target, ctx)
		})
		keep(p, a, ok, gap)
	}
	for _, o := range e.outsiders(trust, partitionOf(acct)) {
		var contexts []map[string][]string
		all, gap := e.outsideSearch(o, trust, acct.ID)
		for _, ctx := range all {
			if e.consistentContext(o, ctx) {
				contexts = append(contexts, ctx)
			}
		}
		a, ok := leastContext(o.id, o.who, contexts, func(ctx map[string][]string) Result {
			return e.evaluateOutside(o, role, acct, trust, ctx)
		})
		a.Outside = true
		keep(o.id, a, ok, gap)
	}
	if len(undecided) > 0 {
		slices.Sort(undecided)
		slices.Sort(gaps)
		note := fmt.Sprintf("the search for who can assume the role could not decide %s: no condition context tried allows them, but one not tried might; evaluate them with the contexts their requests carry", strings.Join(gaps, "; "))
		for i := range out {
			out[i].Result.Caveats = append(out[i].Result.Caveats, note)
		}
	}
	slices.SortFunc(out, func(a, b Assumer) int { return strings.Compare(a.Principal, b.Principal) })
	return out, undecided
}

// mayAllowAssumeRole says whether any of a caller's identity-based policies
// has an Allow statement that can cover sts:AssumeRole (an Action matching
// it, or a NotAction), or whether one of them could not be read. Without
// one, the caller cannot assume a role in another account, whatever the
// trust policy, the guardrails or the request's context: a cross-account
// request is allowed only when the caller's identity-based policies allow
// it as well as the resource's policy, and boundaries, SCPs, RCPs and
// session policies only ever take away.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
// (Within one account a trust policy naming the principal suffices, so
// who-can asks this only of callers of another account.) It is the
// search's cheap first test: at 10,040 objects, a plan from empty evaluated
// each of 2,480 roles against every principal its trust lets in, most of
// them roles with no such statement, for 40 s of CPU.
func (e *Evaluator) mayAllowAssumeRole(c *caller) bool {
	e.mu.Lock()
	may, known := e.mayAssume[c.arn]
	e.mu.Unlock()
	if known {
		return may
	}
	may = e.identityMayAllow(c, "sts:AssumeRole")
	e.mu.Lock()
	e.mayAssume[c.arn] = may
	e.mu.Unlock()
	return may
}

func (e *Evaluator) identityMayAllow(c *caller, action string) bool {
	n := &notes{}
	sources := e.identityPolicies(c, n)
	if len(n.list) > 0 {
		return true // a policy not read (or a group not found) may allow it
	}
	for _, src := range sources {
		for _, st := range src.doc.Statements {
			if st.Effect != "Allow" {
				continue
			}
			if st.NotActions != nil {
				return true
			}
			for _, a := range st.Actions {
				if policy.MatchAction(a, action) {
					return true
				}
			}
		}
	}
	return false
}

// cutCaveat is the caveat of an assumer found under a search that was cut:
// it is allowed, but a context with fewer keys than the one reported may
// allow it too.
var cutCaveat = fmt.Sprintf("the search of condition contexts was cut at %d combinations of the policies' conditions: the context reported allows, but one with fewer keys, not tried, may allow as well", maxContexts)

// leastContext evaluates the contexts in order, fewest keys first, and
// returns the principal (as reported, and read) as an Assumer under the
// first that allows.
func leastContext(principal string, who model.Principal, contexts []map[string][]string, eval func(map[string][]string) Result) (Assumer, bool) {
	for _, ctx := range contexts {
		r := eval(ctx)
		if !r.Allowed {
			continue
		}
		a := Assumer{Principal: principal, who: who, Result: r, Conditions: r.basis.describe()}
		if len(ctx) > 0 {
			a.Context = ctx
		}
		return a, true
	}
	return Assumer{}, false
}

// candidatePrincipals is every user and role of the state, and the sessions
// of the state's roles that the trust policy names by session ARN.
//
// Only the accounts the trust policy's Allow statements can let in are
// searched: sts:AssumeRole needs the trust policy to allow the principal,
// by its account or itself, whatever its own policies say. Without this, a
// stack of thousands of roles compared every role with every principal of
// every account.
func (e *Evaluator) candidatePrincipals(trust policy.Document) []string {
	all, accounts := trustReach(trust)
	var out []string
	for _, id := range e.state.AccountIDs() {
		if !all && !accounts[id] {
			continue
		}
		a := e.state.Accounts[id]
		for _, u := range a.Users {
			out = append(out, model.UserARN(partitionOf(a), a.ID, u.Path, u.Name))
		}
		for _, r := range a.Roles {
			out = append(out, model.RoleARN(partitionOf(a), a.ID, r.Path, r.Name))
		}
	}
	for _, s := range trust.Statements {
		for _, v := range s.Principals["AWS"] {
			if p, err := model.ParsePrincipal(v); err == nil && p.Kind == model.PrincipalAssumedRole {
				if c, _ := e.findCaller(v); c != nil {
					out = append(out, c.arn)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// candidate reads a principal of the state, as candidatePrincipals gives
// it (a user's, role's or session's ARN, as the state names it).
func candidate(arn string) model.Principal {
	p, _ := model.ParsePrincipal(arn)
	return p
}

// trustReach returns the accounts whose principals a trust policy's Allow
// statements can match, or all when they can match any (a wildcard,
// NotPrincipal, or a principal whose account cannot be told, such as a
// unique id).
func trustReach(trust policy.Document) (all bool, accounts map[string]bool) {
	accounts = map[string]bool{}
	for _, s := range trust.Statements {
		if s.Effect != "Allow" {
			continue
		}
		if s.NotPrincipals != nil || s.Principals["*"] != nil {
			return true, nil
		}
		for _, v := range s.Principals["AWS"] {
			switch {
			case v == "*":
				return true, nil
			case policy.IsAccountID(v):
				accounts[v] = true
			default:
				a, err := model.ParseARN(v)
				if err != nil || a.Account == "" {
					return true, nil
				}
				accounts[a.Account] = true
			}
		}
	}
	return false, accounts
}

// principalKeys are the keys the evaluator derives from the state: a
// context that invented them would pretend to be someone else.
func principalKey(key string) bool {
	k := strings.ToLower(key)
	switch k {
	case "aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username", "aws:userid",
		"aws:principalisawsservice", "aws:resourceaccount":
		return true
	}
	return strings.HasPrefix(k, "aws:principaltag/")
}

// candidateContexts are the contexts to try for one principal of the
// state: those the trust policy and its identity-based policies suggest,
// with the keys that describe it left to the state. Without the role, policy
// variables naming aws:ResourceAccount do not resolve; candidateContextsFor
// is the same with the role's ARN.
func (e *Evaluator) candidateContexts(principal string, trust policy.Document) []map[string][]string {
	return e.candidateContextsFor(principal, trust, "")
}

// candidateContextsFor is candidateContexts for the role roleARN: policy
// variables in the conditions searched take the values the evaluator derives
// for the principal (aws:username, aws:PrincipalTag/..., aws:PrincipalArn,
// aws:PrincipalAccount, aws:ResourceAccount), as they do when its request is
// evaluated.
func (e *Evaluator) candidateContextsFor(principal string, trust policy.Document, roleARN string) []map[string][]string {
	out, _ := e.candidateSearch(principal, trust, roleARN)
	return out
}

// candidateSearch is candidateContextsFor, and whether the contexts were cut
// at the bound. Only the statements that can apply to the principal are
// searched: the trust statements that name it as scanTrust reads them
// (its ARN, its role's, its account, "*", or a NotPrincipal that does not
// spare it), and, with the role known, the identity statements whose
// Resource can cover the role.
func (e *Evaluator) candidateSearch(principal string, trust policy.Document, roleARN string) ([]map[string][]string, searchGap) {
	var callerSide [][]policy.Document
	vars := policy.Vars(func(string) (string, bool) { return "", false })
	relevant := func(policy.Statement) bool { return true }
	if c, _ := e.findCaller(principal); c != nil {
		vars = e.buildContext(c, Request{Resource: roleARN}).resolver()
		for _, srcs := range e.callerLayers(c, resourceAccountOf(roleARN), "sts:AssumeRole") {
			var docs []policy.Document
			for _, doc := range docsOf(srcs) {
				if roleARN != "" {
					var r policy.Vars
					if doc.Version == policy.Version {
						r = vars
					}
					doc.Statements = slices.DeleteFunc(slices.Clone(doc.Statements), func(s policy.Statement) bool {
						return !mayCover(s, roleARN, r)
					})
				}
				docs = append(docs, doc)
			}
			callerSide = append(callerSide, docs)
		}
		relevant = c.trustNames
	}
	callerAccount := resourceAccountOf(principal) // the account an ARN names
	if c, _ := e.findCaller(principal); c != nil {
		callerAccount = c.account
	}
	return combineContexts("sts:AssumeRole", trust, relevant, callerSide, e.fixedKeyFor(callerAccount, resourceAccountOf(roleARN)), vars)
}

// trustNames reports whether a trust statement can apply to the caller, as
// scanTrust reads it: its Principal names the caller (itself, its role, its
// account or "*"), or its NotPrincipal does not spare it.
func (c *caller) trustNames(s policy.Statement) bool {
	switch {
	case s.Principals != nil:
		m, _ := c.matchPrincipal(s.Principals)
		return m != noMatch
	case s.NotPrincipals != nil:
		return c.notPrincipalApplies(s.NotPrincipals, s.Effect)
	}
	return false
}

// mayCover reports whether a statement's Resource or NotResource may cover
// the resource. A policy variable without a value here (one the request
// context could give) is taken to match Resource and not to exclude by
// NotResource: the statement stays in the search.
func mayCover(s policy.Statement, resource string, vars policy.Vars) bool {
	switch {
	case s.NotResources != nil:
		for _, pat := range s.NotResources {
			if m, resolved := policy.MatchResource(pat, resource, vars); m && resolved {
				return false
			}
		}
		return true
	case s.Resources != nil:
		for _, pat := range s.Resources {
			if m, resolved := policy.MatchResource(pat, resource, vars); m || !resolved {
				return true
			}
		}
		return false
	}
	return true
}

// maxContexts bounds the contexts combineContexts returns. The search is a
// cross product: one allow of the trust policy, times one allow of each
// layer of the caller's side (its identity-based policies, its permissions
// boundary), times a way to turn off each conditional deny (each of its
// tests, or none), and the denies alone multiply. Policies with dozens of
// conditional statements are rare, but possible, and every principal that
// nothing allows is evaluated under every context, so some bound is needed.
//
// The bound never falls on the trust side. A trust statement that is not
// searched is a principal silently reported as nobody: so every trust
// statement that can name the principal is searched (after the filtering by
// principal there are few, and a trust policy's size is bounded by IAM),
// and the bound is shared out among the caller's layers' allows and the
// ways around the denies. When it cuts, combineContexts says so, and
// WhoCanAssume reports the principals it then found nobody for as undecided
// (with a caveat), never as allowed: a wrong allow is as much a hole as a
// wrong nobody. 4096 contexts are some twice the old worst case (8 trust
// allows × 8 identity allows × 32), and far more than any policy in the
// corpus needs.
const maxContexts = 4096

// combineContexts are the contexts to try for an action, fewest keys first:
// the empty one, what each allow statement of the trust policy and of each
// caller layer asks for, combined with what the conditional denies need to
// stay off — every deny at once, each turned off by one of its tests (or by
// nothing, if the request already escapes it). Only the trust statements
// for which relevant is true are read (those that can apply to the
// principal: see candidateSearch, outsideSearch); the documents of the
// caller's layers (callerSide: per layer, its documents) are read whole.
// Keys for which fixed is true are never given a value.
// vars resolves policy variables in documents of language version
// 2012-10-17: the values that describe the principal, which the request does
// not choose ("IAM policy elements: Variables and tags", "Request
// information that you can use for policy variables").
//
// cut is true when the combinations exceeded maxContexts and some were not
// returned (see maxContexts): every relevant trust allow is still tried.
func combineContexts(action string, trust policy.Document, relevant func(policy.Statement) bool, callerSide [][]policy.Document, fixed func(key string) bool, vars policy.Vars) (out []map[string][]string, gap searchGap) {
	var conflicts map[string]bool // keys two tests ask different values of
	meetInto := func(a, b map[string][]string) []map[string][]string {
		alts, keys := meet(a, b)
		for _, k := range keys {
			if conflicts == nil {
				conflicts = map[string]bool{}
			}
			conflicts[k] = true
		}
		return alts
	}
	cut := false
	defer func() {
		gap.cut = cut
		gap.conflicts = slices.Sorted(maps.Keys(conflicts))
	}()
	allowT := []map[string][]string{{}}
	var denies [][]map[string][]string // per conditional deny, the ways to turn it off
	admits := false                    // some trust Allow can apply
	collect := func(doc policy.Document, allows *[]map[string][]string, relevant func(policy.Statement) bool, isTrust bool) {
		// "IAM policy elements: Variables and tags": variables are
		// replaced only in documents of version 2012-10-17; in earlier
		// ones "${...}" is literal text.
		var r policy.Vars
		if doc.Version == policy.Version {
			r = vars
		}
		for _, s := range doc.Statements {
			if ok, _ := actionCovered(s, action); !ok || !relevant(s) {
				continue
			}
			if s.Effect == "Allow" && isTrust {
				admits = true
			}
			if len(s.Conditions) == 0 {
				continue
			}
			if s.Effect == "Allow" {
				if m := satisfyExcept(s.Conditions, fixed, r); len(m) > 0 {
					*allows = append(*allows, m)
				}
				continue
			}
			if off := falsifyExcept(s.Conditions, fixed, r); len(off) > 0 {
				denies = append(denies, off)
			}
		}
	}
	collect(trust, &allowT, relevant, true)
	// lists are the factors of the cross product after the trust side: each
	// caller layer's allows, then the ways around the denies.
	var lists [][]map[string][]string
	for _, docs := range callerSide {
		allows := []map[string][]string{{}}
		for _, doc := range docs {
			collect(doc, &allows, func(policy.Statement) bool { return true }, false)
		}
		lists = append(lists, distinct(allows))
	}
	if !admits {
		// No Allow of the trust policy can apply: no context allows, and
		// the search, however the rest multiplies, is complete.
		return []map[string][]string{nil}, searchGap{}
	}
	allowT = distinct(allowT)
	avoid := []map[string][]string{{}}
	for _, off := range denies {
		var next []map[string][]string
		for _, a := range avoid {
			next = append(next, a)
			for _, o := range off {
				next = append(next, meetInto(a, o)...)
			}
		}
		next = distinct(next)
		if len(next) > maxContexts {
			next, cut = next[:maxContexts], true
		}
		avoid = next
	}
	lists = append(lists, avoid)
	// Every trust allow is kept; the caller's layers and the ways around
	// the denies share what is left of the bound, the longest list giving
	// way first.
	kept := make([]int, len(lists))
	for i, l := range lists {
		kept[i] = len(l)
	}
	product := boundedProduct(kept)
	budget := max(1, maxContexts/len(allowT))
	for product > budget {
		longest := 0
		for i := range kept {
			if kept[i] > kept[longest] {
				longest = i
			}
		}
		if kept[longest] <= 1 {
			break
		}
		kept[longest]--
		product = boundedProduct(kept)
		cut = true
	}
	type keyed struct {
		m   map[string][]string
		key string
	}
	var list []keyed
	seen := map[string]bool{}
	// combos walks the cross product of the kept lists, merging one entry
	// of each into the trust allow t.
	var combos func(i int, acc map[string][]string)
	combos = func(i int, acc map[string][]string) {
		if i == len(lists) {
			if k := contextKey(acc); !seen[k] {
				seen[k] = true
				list = append(list, keyed{acc, k})
			}
			return
		}
		for _, m := range lists[i][:kept[i]] {
			for _, next := range meetInto(acc, m) {
				combos(i+1, next)
			}
		}
	}
	for _, t := range allowT {
		combos(0, merge(t))
	}
	slices.SortStableFunc(list, func(a, b keyed) int {
		if len(a.m) != len(b.m) {
			return len(a.m) - len(b.m)
		}
		return strings.Compare(a.key, b.key)
	})
	for _, x := range list {
		out = append(out, x.m)
	}
	return out, gap
}

// distinct drops the contexts equal to an earlier one.
func distinct(list []map[string][]string) []map[string][]string {
	seen := map[string]bool{}
	var out []map[string][]string
	for _, m := range list {
		if k := contextKey(m); !seen[k] {
			seen[k] = true
			out = append(out, m)
		}
	}
	return out
}

// boundedProduct is the product of the counts, or maxContexts+1 once it
// passes maxContexts: dozens of layers of a few allows each would overflow
// an int, and the search only needs to know whether it is past the bound.
func boundedProduct(counts []int) int {
	product := 1
	for _, n := range counts {
		product *= n
		if product > maxContexts {
			return maxContexts + 1
		}
	}
	return product
}

// searchGap says how a search of condition contexts may have missed one
// that allows: it was cut at the bound (maxContexts), or two tests asked
// different values of the same keys and the search could only guess a value
// meeting both (see meet). Either way a principal that no context tried
// allows is undecided, never "nobody".
type searchGap struct {
	cut       bool
	conflicts []string // the keys, sorted
}

// incomplete reports whether a context not tried might allow.
func (g searchGap) incomplete() bool { return g.cut || len(g.conflicts) > 0 }

// why says, for people, what the search left out.
func (g searchGap) why() string {
	var parts []string
	if g.cut {
		parts = append(parts, fmt.Sprintf("it was cut at %d condition contexts", maxContexts))
	}
	if len(g.conflicts) > 0 {
		parts = append(parts, fmt.Sprintf("the policies' conditions ask different values of %s and no value tried meets every test", strings.Join(g.conflicts, ", ")))
	}
	return strings.Join(parts, ", and ")
}

// maxMeetings bounds the alternatives meet returns for one pair of contexts.
const maxMeetings = 16

// meet joins two contexts, each meeting some tests, into the contexts that
// may meet both. A key that one gives and the other does not keeps its
// value. A key both give with different values (keys compared without case,
// as IAM compares them: "IAM JSON policy elements: Condition") is a
// conflict: one test asked, say, StringLike "abc*" and the other "*def".
// Taking either value alone (as a plain merge would, the later one
// silently winning) fails the other test, and reporting nobody from that
// would be a wrong "nobody". So meet tries each value, and for single
// values each joined to the other ("abc…def" meets both patterns); the
// evaluation of each context decides. Keys with conflicts are returned, so
// that the search can say it guessed. Beyond maxMeetings alternatives the
// rest are dropped (still reported as conflicts).
func meet(a, b map[string][]string) (alts []map[string][]string, conflicts []string) {
	out := merge(a)
	if out == nil {
		out = map[string][]string{}
	}
	type choice struct {
		key  string
		vals [][]string
	}
	var choices []choice
	for _, k := range sortedKeys(b) {
		bv := b[k]
		ak, av, found := "", []string(nil), false
		for key, v := range out {
			if strings.EqualFold(key, k) {
				ak, av, found = key, v, true
				break
			}
		}
		switch {
		case !found:
			out[k] = bv
		case slices.Equal(av, bv):
		default:
			delete(out, ak)
			vals := [][]string{av, bv}
			if len(av) == 1 && len(bv) == 1 {
				vals = append(vals, []string{av[0] + bv[0]}, []string{bv[0] + av[0]})
			} else {
				vals = append(vals, union(av, bv))
			}
			choices = append(choices, choice{k, vals})
			conflicts = append(conflicts, k)
		}
	}
	alts = []map[string][]string{out}
	for _, c := range choices {
		var next []map[string][]string
		for _, m := range alts {
			for _, v := range c.vals {
				if len(next) == maxMeetings {
					break
				}
				n := merge(m)
				if n == nil {
					n = map[string][]string{}
				}
				n[c.key] = v
				next = append(next, n)
			}
		}
		alts = next
	}
	for i, m := range alts {
		if len(m) == 0 {
			alts[i] = nil
		}
	}
	return alts, conflicts
}

// union is the values of both lists, each once, in order.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func merge(ms ...map[string][]string) map[string][]string {
	out := map[string][]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func contextKey(m map[string][]string) string {
	var b strings.Builder
	for _, k := range sortedKeys(m) {
		fmt.Fprintf(&b, "%s=%q;", strings.ToLower(k), m[k])
	}
	return b.String()
}

// satisfy returns a context under which a Condition element holds, as far
// as that can be chosen by the caller: absent keys already satisfy negated
// operators, ...IfExists and ForAllValues, so only positive tests get a
// value. Keys that describe the principal are never given one. Policy
// variables are taken as literal text.
func satisfy(conds map[string]map[string][]string) map[string][]string {
	return satisfyExcept(conds, principalKey, nil)
}

// satisfyExcept is satisfy with the keys that may not be chosen given by
// fixed, and policy variables resolved by vars (nil: literal text).
func satisfyExcept(conds map[string]map[string][]string, fixed func(key string) bool, vars policy.Vars) map[string][]string {
	out := map[string][]string{}
	var nulls []string
	for _, opName := range sortedKeys(conds) {
		op, fam, ok := parseOperator(opName)
		if !ok {
			continue
		}
		for _, key := range sortedKeys(conds[opName]) {
			vals := conds[opName][key]
			if fixed(key) || len(vals) == 0 {
				continue
			}
			if fam.kind == "null" {
				if slices.ContainsFunc(vals, func(v string) bool { return strings.EqualFold(v, "false") }) {
					nulls = append(nulls, key)
				}
				continue
			}
			if fam.negated || op.ifExists || op.qualifier == "ForAllValues" {
				continue
			}
			// The values are alternatives: the first that a request can
			// meet will do (one whose variable has no value cannot).
			for _, want := range vals {
				chosen := map[string]string{}
				if v, ok := satisfying(fam, want, varsFor(fam, choosing(vars, fixed, out, chosen))); ok {
					out[key] = []string{v}
					for k, cv := range chosen {
						out[k] = []string{cv}
					}
					break
				}
			}
		}
	}
	// Null "false" only asks for the key to be there.
	for _, k := range nulls {
		if _, ok := lookupFold(out, k); !ok {
			out[k] = []string{plausible(k)}
		}
	}
	return out
}

// choosing extends a resolver of policy variables to keys the request may
// choose: a variable naming a key that is not fixed (for an account root
// outside the state, aws:username: some user of the account has a name)
// takes the value the context already gives the key, or an example value,
// which the context then gives it too (in chosen). "IAM policy elements:
// Variables and tags" replaces a variable with the key's value in the
// request, whatever gave it. With vars nil (variables are literal text)
// it stays nil.
func choosing(vars policy.Vars, fixed func(string) bool, ctx map[string][]string, chosen map[string]string) policy.Vars {
	if vars == nil {
		return nil
	}
	return func(name string) (string, bool) {
		if v, ok := vars(name); ok {
			return v, true
		}
		if fixed(name) {
			return "", false
		}
		if v, ok := lookupFold(ctx, name); ok && len(v) == 1 {
			return v[0], true
		}
		if v, ok := chosen[name]; ok {
			return v, true
		}
		chosen[name] = "example"
		return "example", true
	}
}

// varsFor is the resolver for a family's values: only string, ARN and Bool
// values take policy variables ("IAM policy elements: Variables and tags",
// "Where you can use policy variables": the Condition element with string
// and ARN operators, and Bool).
func varsFor(fam family, vars policy.Vars) policy.Vars {
	if !fam.vars {
		return nil
	}
	return vars
}

// falsify returns contexts under each of which a deny's Condition element
// does not hold: turning off any one test is enough, as tests AND together.
// Only tests that an absent key makes true need a value. Keys that describe
// the principal are never given one.
func falsify(conds map[string]map[string][]string) []map[string][]string {
	return falsifyExcept(conds, principalKey, nil)
}

// falsifyExcept is falsify with the keys that may not be chosen given by
// fixed, and policy variables resolved by vars (nil: literal text).
func falsifyExcept(conds map[string]map[string][]string, fixed func(key string) bool, vars policy.Vars) []map[string][]string {
	var out []map[string][]string
	for _, opName := range sortedKeys(conds) {
		op, fam, ok := parseOperator(opName)
		if !ok {
			continue
		}
		for _, key := range sortedKeys(conds[opName]) {
			vals := conds[opName][key]
			if fixed(key) || len(vals) == 0 {
				continue
			}
			var v string
			switch {
			case fam.kind == "null":
				if !slices.ContainsFunc(vals, func(v string) bool { return strings.EqualFold(v, "true") }) {
					continue
				}
				v = plausible(key)
			case fam.negated:
				// The key holding a listed value makes a negated test false.
				found := false
				for _, want := range vals {
					if v, found = satisfying(familyOf(fam, false), want, varsFor(fam, vars)); found {
						break
					}
				}
				if !found {
					continue
				}
			case op.ifExists || op.qualifier == "ForAllValues":
				var ok bool
				if v, ok = failing(fam, vals); !ok {
					continue
				}
			default:
				continue // absent already makes a positive test false
			}
			out = append(out, map[string][]string{key: {v}})
		}
	}
	return out
}

// familyOf returns the positive or negated twin of a family.
func familyOf(f family, negated bool) family {
	f.negated = negated
	return f
}

// satisfying returns a request value for which the positive test on the
// policy value holds. With vars, policy variables in the value are replaced
// first, and what they stand for is literal even where it holds "*" or "?"
// ("IAM policy elements: Variables and tags", "Special characters"); a
// variable without a value, and no default, makes the value one no request
// meets ("Policy variables with no value").
func satisfying(fam family, want string, vars policy.Vars) (string, bool) {
	switch fam.kind {
	case "string", "stringFold", "bool":
		p, ok := policy.LiteralPattern(want, vars)
		if !ok {
			return "", false
		}
		return p.Example(), true
	case "binary":
		return want, true
	case "like", "arn":
		p, ok := policy.CompilePattern(want, vars)
		if !ok {
			return "", false
		}
		return p.Example(), true
	case "numeric":
		w, err := strconv.ParseFloat(want, 64)
		if err != nil {
			return "", false
		}
		switch fam.cmp {
		case "lt":
			w--
		case "gt":
			w++
		}
		return strconv.FormatFloat(w, 'f', -1, 64), true
	case "date":
		t, ok := parseDate(want)
		if !ok {
			return "", false
		}
		switch fam.cmp {
		case "lt":
			t = t.Add(-time.Second)
		case "gt":
			t = t.Add(time.Second)
		}
		return t.UTC().Format(time.RFC3339), true
	case "ip":
		p, ok := parseCIDR(want)
		if !ok {
			return "", false
		}
		return p.Addr().String(), true
	}
	return "", false
}

// failing returns a request value for which a positive test on every
// policy value fails.
func failing(fam family, vals []string) (string, bool) {
	switch fam.kind {
	case "bool":
		if strings.EqualFold(vals[0], "true") {
			return "false", true
		}
		return "true", true
	case "numeric":
		w, err := strconv.ParseFloat(vals[0], 64)
		if err != nil || len(vals) > 1 {
			return "", false
		}
		// The value just past the boundary, on the failing side.
		switch fam.cmp {
		case "eq", "le":
			w++
		case "ge":
			w--
		}
		return strconv.FormatFloat(w, 'f', -1, 64), true
	case "ip":
		for _, a := range []string{"192.0.2.1", "2001:db8::1"} {
			addr := netip.MustParseAddr(a)
			if !slices.ContainsFunc(vals, func(v string) bool {
				p, ok := parseCIDR(v)
				return ok && p.Contains(addr)
			}) {
				return a, true
			}
		}
	}
	return "", false
}

// plausible is a value for a key whose presence alone is tested.
func plausible(key string) string {
	switch strings.ToLower(key) {
	case "aws:multifactorauthpresent":
		return "true"
	case "aws:multifactorauthage":
		return "0"
	}
	return "present"
}

func lookupFold(m map[string][]string, key string) ([]string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}
