package access_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/policy"
)

// TestSearchCutIsReported checks what happens past the bound: thirteen
// conditional denies, each turned off by its own request tag, make 2^13
// ways around them, more than the search tries. Nobody is then reported
// allowed without an evaluation that allowed; a principal found allowed
// carries a caveat that its context may not be the least; one allowed by
// nothing tried is reported undecided, and named in the caveats of those
// listed, rather than silently left out. Principals whom those denies do
// not name are searched in full, and one whom no Allow of the trust policy
// names is never undecided: nothing can let it in.
func TestSearchCutIsReported(t *testing.T) {
	tests := []struct {
		name    string
		allowed []string // the trust Allow's principals
		denied  string   // the denies' principal
		// extra is a test added to each deny, besides the request tag's
		extra     map[string][]string
		undecided []string
		listed    string // a principal listed, whose search was not cut
	}{
		// Escaping every deny needs all thirteen tags: a context the cut
		// search does not reach. CanAssume allows it.
		{name: "the way out lies past the bound", allowed: []string{dev}, denied: david, undecided: []string{david}, listed: quinn},
		// Each deny also needs an ExternalId no request gives: the empty
		// context escapes them all.
		{name: "the empty context escapes them", allowed: []string{dev}, denied: david, extra: map[string][]string{"sts:ExternalId": {"never"}}, listed: quinn},
		// The denies name every principal of the developers' account, but
		// the trust policy lets in only Quinn of it (and an account not
		// read, whom the denies spare): David and the others, whom no
		// Allow names, are not undecided.
		{name: "only the principals an Allow names", allowed: []string{quinn, "333333333333"}, denied: dev, undecided: []string{quinn},
			listed: "arn:aws:iam::333333333333:root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tutorialState(t)
			stmts := []policy.Statement{stmt("Allow", aws(tt.allowed...), assume, nil)}
			all := map[string][]string{}
			for i := range 13 {
				key := fmt.Sprintf("aws:RequestTag/t%d", i)
				c := map[string]map[string][]string{"StringNotEquals": {key: {"v"}}}
				if tt.extra != nil {
					c["StringEquals"] = tt.extra
				}
				stmts = append(stmts, stmt("Deny", aws(tt.denied), assume, c))
				all[key] = []string{"v"}
			}
			s.Accounts[prod].Roles["updateapp"].TrustPolicy = trustOf(stmts...)
			ev := access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t)})
			for _, p := range tt.undecided {
				if res := ev.CanAssume(p, updateApp, all); !res.Allowed {
					t.Fatalf("test state: %s with every tag: %s %v", p, res.Decision, res.Reasons)
				}
			}
			listed, list := searchChecked(t, ev, updateApp, tt.undecided)
			q, ok := listed[tt.listed]
			if !ok {
				t.Fatalf("%s is not listed: %v", tt.listed, whoList(list))
			}
			for _, p := range tt.undecided {
				if _, ok := listed[p]; ok {
					t.Errorf("undecided %s is listed", p)
				}
				if !slices.ContainsFunc(q.Result.Caveats, func(c string) bool { return strings.Contains(c, "was cut") && strings.Contains(c, p) }) {
					t.Errorf("%s's caveats do not name the undecided %s: %q", tt.listed, p, q.Result.Caveats)
				}
			}
			if len(tt.undecided) > 0 {
				return
			}
			d, ok := listed[tt.denied]
			if !ok {
				t.Fatalf("%s is not listed: %v", tt.denied, whoList(list))
			}
			if !slices.ContainsFunc(d.Result.Caveats, func(c string) bool { return strings.Contains(c, "search of condition contexts was cut") }) {
				t.Errorf("%s's caveats do not say the search was cut: %q", tt.denied, d.Result.Caveats)
			}
			if slices.ContainsFunc(q.Result.Caveats, func(c string) bool { return strings.Contains(c, "cut") }) {
				t.Errorf("%s's search was not cut, yet: %q", tt.listed, q.Result.Caveats)
			}
		})
	}
}

// TestConflictingTestsAreUndecided checks the other way a search can fall
// short: two policies test the same key, and no value the search tries
// meets both. The answer may truly be nobody (StringEquals "abc" and
// StringLike "*def" admit no common value), but the search cannot prove it
// for every operator pair, so the principal is undecided and named in the
// caveats of those listed, never silently left out. Where a value meets both
// (the join of the two), the principal is listed with it.
func TestConflictingTestsAreUndecided(t *testing.T) {
	tests := []struct {
		name      string
		trust     map[string]map[string][]string // on the Allow naming David
		identity  map[string]map[string][]string // on the Developers' grant
		undecided []string
		context   map[string][]string // David's, when listed
	}{
		{name: "no value meets both", trust: map[string]map[string][]string{"StringEquals": {"sts:ExternalId": {"abc"}}},
			identity: map[string]map[string][]string{"StringLike": {"sts:ExternalId": {"*def"}}}, undecided: []string{david}},
		{name: "the joined value meets both", trust: map[string]map[string][]string{"StringLike": {"sts:ExternalId": {"abc*"}}},
			identity: map[string]map[string][]string{"StringLike": {"sts:ExternalId": {"*def"}}}},
		{name: "one value meets both", trust: map[string]map[string][]string{"StringEquals": {"sts:ExternalId": {"abc"}}},
			identity: map[string]map[string][]string{"StringLike": {"sts:ExternalId": {"a*"}}}, context: map[string][]string{"sts:ExternalId": {"abc"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tutorialState(t)
			s.Accounts[prod].Roles["updateapp"].TrustPolicy = trustOf(
				stmt("Allow", aws(david), assume, tt.trust),
				stmt("Allow", aws(quinn), assume, nil))
			grant := s.Accounts[dev].Groups["developers"]
			for name := range grant.InlinePolicies {
				grant.InlinePolicies[name] = policy.Document{Version: policy.Version, Statements: []policy.Statement{{
					Effect: "Allow", Actions: assume, Resources: []string{updateApp}, Conditions: tt.identity,
				}}}.JSON()
			}
			ev := access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t)})
			listed, list := searchChecked(t, ev, updateApp, tt.undecided)
			q, ok := listed[quinn]
			if !ok {
				t.Fatalf("Quinn is not listed: %v", whoList(list))
			}
			if len(tt.undecided) > 0 {
				if _, ok := listed[david]; ok {
					t.Errorf("undecided David is listed")
				}
				if !slices.ContainsFunc(q.Result.Caveats, func(c string) bool {
					return strings.Contains(c, david) && strings.Contains(c, "different values of sts:ExternalId")
				}) {
					t.Errorf("Quinn's caveats do not name the undecided David: %q", q.Result.Caveats)
				}
				return
			}
			d, ok := listed[david]
			if !ok {
				t.Fatalf("David is not listed: %v", whoList(list))
			}
			if res := ev.CanAssume(david, updateApp, d.Context); !res.Allowed {
				t.Errorf("David listed with %v, but CanAssume says %s", d.Context, res.Decision)
			}
			if tt.context != nil && !reflect.DeepEqual(d.Context, tt.context) {
				t.Errorf("David's context %v, want %v", d.Context, tt.context)
			}
		})
	}
}

// searchChecked is SearchAssumers of a role, its undecided principals
// checked against want, and its listed ones by principal, each of the
// state checked with CanAssume under the context it is listed with.
func searchChecked(t *testing.T, ev *access.Evaluator, role string, want []string) (map[string]access.Assumer, []access.Assumer) {
	t.Helper()
	list, undecided := ev.SearchAssumers(role)
	if !slices.Equal(undecided, want) {
		t.Errorf("undecided %v, want %v", undecided, want)
	}
	listed := map[string]access.Assumer{}
	for _, a := range list {
		listed[a.Principal] = a
		if a.Outside {
			continue
		}
		if res := ev.CanAssume(a.Principal, role, a.Context); !res.Allowed {
			t.Errorf("%s listed with %v, but CanAssume says %s", a.Principal, a.Context, res.Decision)
		}
	}
	return listed, list
}
