package access_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/policy"
)

// TestWhoCanAssumeAgreesWithCanAssume checks, over every state of the
// corpus and over generated ones, that WhoCanAssume and CanAssume tell the
// same story for the principals of the state, both ways:
//
//   - everyone WhoCanAssume lists is allowed by CanAssume under the context
//     it reports;
//   - nobody it leaves out is allowed by CanAssume under any context of an
//     enumeration built independently of its search: the contexts it tries,
//     and contexts made of the values the state's policies test (as
//     written, with policy variables resolved for the principal, with
//     wildcards filled in), alone, in pairs, and in pairs with MFA.
//
// The same holds for the principals the trust policy names outside the
// state (account roots, users and roles of accounts not read, "*",
// services), judged on the trust policy alone: WhoCanAssume's outsiders and
// TrustAdmits (which judges every named principal alone) each list only
// principals the trust evaluation allows under the context reported, and
// leave out none it allows under the enumeration. The generated trust
// policies include some with ten and more conditional statements, each for
// another principal, so that a search bounded by statement count would miss
// the later ones.
func TestWhoCanAssumeAgreesWithCanAssume(t *testing.T) {
	resolve := resolveAWSManaged(t)
	type named struct {
		name    string
		state   *model.State
		managed func(string) (string, bool)
	}
	var states []named
	files, err := filepath.Glob("../../testdata/eval/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	for _, f := range files {
		cases, err := access.LoadCase(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			states = append(states, named{filepath.Base(f) + "/" + c.Name, c.State(), c.AWSManaged(resolve)})
		}
	}
	r := rand.New(rand.NewPCG(13, 2026))
	// The fast tier (-short) checks the first 50 generated states, the full
	// tier all 150: each state costs about 90 ms of search.
	generated := 150
	if testing.Short() {
		generated = 50
	}
	for i := range generated {
		states = append(states, named{fmt.Sprintf("generated/%03d", i), genState(r), resolve})
	}
	listedSome, refusedSome := 0, 0
	bounded.listed, bounded.refused = 0, 0
	guarded.listed, guarded.refused = 0, 0
	outListed, outRefused := 0, 0
	enumerated = 0
	for _, ns := range states {
		t.Run(ns.name, func(t *testing.T) {
			l, rf := checkAgreement(t, ns.state, ns.managed)
			listedSome += l
			refusedSome += rf
			l, rf = checkOutsiders(t, ns.state, ns.managed)
			outListed += l
			outRefused += rf
		})
	}
	t.Logf("%d listed, %d refused, %d contexts enumerated; outside the state %d listed, %d refused; with a permissions boundary %d listed, %d refused; in a member account of an organisation %d listed, %d refused",
		listedSome, refusedSome, enumerated, outListed, outRefused, bounded.listed, bounded.refused, guarded.listed, guarded.refused)
	// The generator must produce both answers, or the test proves little.
	if listedSome < 100 || refusedSome < 100 {
		t.Errorf("only %d principals listed and %d refused over all states", listedSome, refusedSome)
	}
	if bounded.listed < 20 || bounded.refused < 20 {
		t.Errorf("only %d principals with a permissions boundary listed and %d refused over all states", bounded.listed, bounded.refused)
	}
	if guarded.listed < 20 || guarded.refused < 20 {
		t.Errorf("only %d principals in a member account listed and %d refused over all states", guarded.listed, guarded.refused)
	}
	if outListed < 100 || outRefused < 50 {
		t.Errorf("only %d outside principals listed and %d refused over all states", outListed, outRefused)
	}
}

// checkOutsiders checks, for every role of the state, the principals its
// trust policy names judged on the trust policy alone: TrustAdmits (every
// named principal, the evaluator's accounts ignored) and WhoCanAssume's
// outsiders (the named principals outside the state). It returns how many
// principal and role pairs were listed and how many refused.
func checkOutsiders(t *testing.T, s *model.State, managed func(string) (string, bool)) (listed, refused int) {
	t.Helper()
	ev := access.New(access.Inputs{State: s, Policies: managed})
	for _, id := range s.AccountIDs() {
		a := s.Accounts[id]
		for _, role := range a.Roles {
			roleARN := model.RoleARN(a.Partition, a.ID, role.Path, role.Name)
			trust, err := policy.Parse(role.TrustPolicy)
			if err != nil {
				continue
			}
			inState := map[string]bool{}
			for _, x := range ev.WhoCanAssume(roleARN) {
				if x.Outside {
					inState[x.Principal] = true
				}
			}
			admitted := map[string]bool{}
			for _, x := range ev.TrustAdmits(roleARN) {
				admitted[x.Principal] = true
			}
			for _, alone := range []bool{true, false} {
				got := inState
				name := "WhoCanAssume"
				if alone {
					got, name = admitted, "TrustAdmits"
				}
				list := ev.TrustAdmits
				if !alone {
					list = ev.WhoCanAssume
				}
				for _, x := range list(roleARN) {
					if !x.Outside {
						continue
					}
					listed++
					if res, ok := ev.EvaluateOutsider(roleARN, x.Principal, alone, x.Context); !ok || !res.Allowed {
						t.Errorf("%s(%s) lists %s with context %v, but its trust evaluation says %s (named as an outsider: %v): %v", name, roleARN, x.Principal, x.Context, res.Decision, ok, res.Reasons)
					}
				}
				for _, p := range namedPrincipals(trust) {
					if got[p] {
						continue
					}
					if _, ok := ev.EvaluateOutsider(roleARN, p, alone, nil); !ok {
						continue // not an outsider here (a principal of the state)
					}
					refused++
					all := enumerateOutside(trust, p, roleARN)
					enumerated += len(all)
					for _, ctx := range all {
						if res, ok := ev.EvaluateOutsider(roleARN, p, alone, ctx); ok && res.Allowed {
							t.Errorf("%s(%s) leaves out %s, but its trust evaluation allows it with context %v: %v", name, roleARN, p, ctx, res.Reasons)
							break
						}
					}
				}
			}
		}
	}
	return listed, refused
}

// namedPrincipals are the principals the trust policy's Allow statements
// name, as the evaluator reports them: a bare account id as its root ARN.
func namedPrincipals(trust policy.Document) []string {
	var out []string
	for _, st := range trust.Statements {
		if st.Effect != "Allow" {
			continue
		}
		if _, ok := st.Principals["*"]; ok {
			out = append(out, "*")
		}
		for _, v := range st.Principals["AWS"] {
			if len(v) == 12 && strings.Trim(v, "0123456789") == "" {
				v = "arn:aws:iam::" + v + ":root"
			}
			out = append(out, v)
		}
		out = append(out, st.Principals["Service"]...)
		out = append(out, st.Principals["Federated"]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// enumerateOutside is the contexts to try for a principal outside the
// state: those of the values the trust policy tests, keys describing the
// principal included (what who it is fixes, the evaluation keeps), alone,
// in pairs, and in pairs with MFA.
func enumerateOutside(trust policy.Document, principal, roleARN string) []map[string][]string {
	vars := map[string]string{"*": "*", "?": "?", "$": "$"}
	if q := strings.SplitN(roleARN, ":", 6); len(q) == 6 {
		vars["aws:resourceaccount"] = q[4]
	}
	if p := strings.SplitN(principal, ":", 6); len(p) == 6 && p[4] != "" {
		vars["aws:principalaccount"] = p[4]
	}
	seen := map[kv]bool{}
	var items []kv
	add := func(k, v string) {
		k = strings.ToLower(k)
		if seen[kv{k, v}] {
			return
		}
		seen[kv{k, v}] = true
		items = append(items, kv{k, v})
	}
	for _, st := range trust.Statements {
		for op, keys := range st.Conditions {
			for k, vals := range keys {
				for _, v := range valuesFor(op, vals, vars) {
					add(k, v)
				}
			}
		}
	}
	add("aws:MultiFactorAuthPresent", "true")
	slices.SortFunc(items, func(a, b kv) int { return strings.Compare(a.key+"\x00"+a.value, b.key+"\x00"+b.value) })
	mfa := kv{"aws:multifactorauthpresent", "true"}
	out := []map[string][]string{nil}
	for i, a := range items {
		out = append(out, map[string][]string{a.key: {a.value}})
		for _, b := range items[i+1:] {
			if a.key == b.key {
				continue
			}
			out = append(out, map[string][]string{a.key: {a.value}, b.key: {b.value}})
			if a.key != mfa.key && b.key != mfa.key {
				out = append(out, map[string][]string{a.key: {a.value}, b.key: {b.value}, mfa.key: {mfa.value}})
			}
		}
	}
	return out
}

// checkAgreement checks every role of the state; it returns how many
// principal and role pairs were listed and how many refused.
func checkAgreement(t *testing.T, s *model.State, managed func(string) (string, bool)) (listed, refused int) {
	t.Helper()
	ev := access.New(access.Inputs{State: s, Policies: managed})
	for _, id := range s.AccountIDs() {
		a := s.Accounts[id]
		for _, role := range a.Roles {
			roleARN := model.RoleARN(a.Partition, a.ID, role.Path, role.Name)
			trust, err := policy.Parse(role.TrustPolicy)
			if err != nil {
				continue
			}
			got := map[string]bool{}
			for _, x := range ev.WhoCanAssume(roleARN) {
				if x.Outside {
					continue
				}
				got[x.Principal] = true
				listed++
				if hasBoundary(s, x.Principal) {
					bounded.listed++
				}
				if inOrgMember(s, x.Principal) {
					guarded.listed++
				}
				if res := ev.CanAssume(x.Principal, roleARN, x.Context); !res.Allowed {
					t.Errorf("WhoCanAssume(%s) lists %s with context %v, but CanAssume says %s: %v", roleARN, x.Principal, x.Context, res.Decision, res.Reasons)
				}
			}
			for _, p := range statePrincipals(s, trust) {
				if got[p] {
					continue
				}
				refused++
				if hasBoundary(s, p) {
					bounded.refused++
				}
				if inOrgMember(s, p) {
					guarded.refused++
				}
				all := enumerate(ev, s, p, roleARN)
				enumerated += len(all)
				for _, ctx := range all {
					if res := ev.CanAssume(p, roleARN, ctx); res.Allowed {
						t.Errorf("WhoCanAssume(%s) leaves out %s, but CanAssume allows it with context %v: %v", roleARN, p, ctx, res.Reasons)
						break
					}
				}
			}
		}
	}
	return listed, refused
}

// enumerated counts the contexts tried against refused principals.
var enumerated int

// bounded counts the principals with a permissions boundary that
// checkAgreement saw listed and refused.
var bounded, guarded struct{ listed, refused int }

// inOrgMember reports whether a principal's account is a member account of
// the state's organisation, whose SCPs limit it.
func inOrgMember(s *model.State, principal string) bool {
	p := strings.SplitN(principal, ":", 6)
	if len(p) != 6 || s.Organization == nil {
		return false
	}
	_, ok := s.Organization.Paths[p[4]]
	return ok && p[4] != s.Organization.ManagementAccount
}

// hasBoundary reports whether a user, role or session of the state has a
// permissions boundary (a session's is its role's).
func hasBoundary(s *model.State, principal string) bool {
	p := strings.SplitN(principal, ":", 6)
	if len(p) != 6 || s.Accounts[p[4]] == nil {
		return false
	}
	a := s.Accounts[p[4]]
	res := p[5]
	switch {
	case strings.HasPrefix(res, "user/"):
		u := a.Users[model.NameKey(res[strings.LastIndexByte(res, '/')+1:])]
		return u != nil && u.PermissionsBoundary != ""
	case strings.HasPrefix(res, "assumed-role/"):
		name, _, _ := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		r := a.Roles[model.NameKey(name)]
		return r != nil && r.PermissionsBoundary != ""
	}
	r := a.Roles[model.NameKey(res[strings.LastIndexByte(res, '/')+1:])]
	return r != nil && r.PermissionsBoundary != ""
}

// statePrincipals are the users and roles of the state, and the sessions of
// its roles that the trust policy names.
func statePrincipals(s *model.State, trust policy.Document) []string {
	var out []string
	for _, id := range s.AccountIDs() {
		a := s.Accounts[id]
		for _, u := range a.Users {
			out = append(out, model.UserARN(a.Partition, a.ID, u.Path, u.Name))
		}
		for _, r := range a.Roles {
			out = append(out, model.RoleARN(a.Partition, a.ID, r.Path, r.Name))
		}
	}
	for _, st := range trust.Statements {
		for _, v := range st.Principals["AWS"] {
			p := strings.SplitN(v, ":", 6)
			if len(p) != 6 || p[2] != "sts" || !strings.HasPrefix(p[5], "assumed-role/") {
				continue
			}
			roleName, _, _ := strings.Cut(strings.TrimPrefix(p[5], "assumed-role/"), "/")
			if a := s.Accounts[p[4]]; a != nil && a.Roles[model.NameKey(roleName)] != nil && a.Roles[model.NameKey(roleName)].Name == roleName {
				out = append(out, v)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// derived are the keys the evaluator derives from the state, which a
// request does not choose.
func derived(key string) bool {
	k := strings.ToLower(key)
	switch k {
	case "aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username", "aws:userid",
		"aws:principalisawsservice", "aws:resourceaccount":
		return true
	}
	return strings.HasPrefix(k, "aws:principaltag/")
}

type kv struct{ key, value string }

// enumerate is the contexts to try for a principal: those WhoCanAssume
// tries, and contexts of the values the state's policies test.
func enumerate(ev *access.Evaluator, s *model.State, principal, roleARN string) []map[string][]string {
	out := ev.CandidateContexts(principal, roleARN)
	vars := variablesOf(s, principal, roleARN)
	seen := map[kv]bool{}
	var items []kv
	add := func(k, v string) {
		k = strings.ToLower(k)
		if derived(k) || seen[kv{k, v}] {
			return
		}
		seen[kv{k, v}] = true
		items = append(items, kv{k, v})
	}
	for _, doc := range documents(s, principal, roleARN) {
		for _, st := range doc.Statements {
			for op, keys := range st.Conditions {
				for k, vals := range keys {
					for _, v := range valuesFor(op, vals, vars) {
						add(k, v)
					}
				}
			}
		}
	}
	add("aws:MultiFactorAuthPresent", "true")
	add("aws:MultiFactorAuthPresent", "false")
	// Two tests of one key (a prefix in the trust policy, a suffix in an
	// identity policy) may both hold only for a value joining theirs: the
	// oracle tries the joins too, alone and with MFA (not in pairs, which
	// would multiply the contexts), so that a search that misses them is
	// caught.
	var joins []kv
	for _, a := range items {
		for _, b := range items {
			if a.key == b.key && a.value != b.value && !seen[kv{a.key, a.value + b.value}] {
				seen[kv{a.key, a.value + b.value}] = true
				joins = append(joins, kv{a.key, a.value + b.value})
			}
		}
	}
	slices.SortFunc(items, func(a, b kv) int { return strings.Compare(a.key+"\x00"+a.value, b.key+"\x00"+b.value) })
	ctx := func(list ...kv) map[string][]string {
		m := map[string][]string{}
		for _, x := range list {
			if _, dup := m[x.key]; dup {
				return nil
			}
			m[x.key] = []string{x.value}
		}
		return m
	}
	mfa := kv{"aws:multifactorauthpresent", "true"}
	out = append(out, nil)
	for _, j := range joins {
		out = append(out, ctx(j))
		if m := ctx(j, mfa); m != nil {
			out = append(out, m)
		}
	}
	for i, a := range items {
		out = append(out, ctx(a))
		for _, b := range items[i+1:] {
			if m := ctx(a, b); m != nil {
				out = append(out, m)
				if m3 := ctx(a, b, mfa); m3 != nil {
					out = append(out, m3)
				}
			}
		}
	}
	return out
}

// documents are the policy documents that bear on the request: the role's
// trust policy, and the principal's inline policies, its groups' and the
// customer managed policies attached to them, its permissions boundary, the
// SCPs on its account's path and the RCPs on the role's account's path.
func documents(s *model.State, principal, roleARN string) []policy.Document {
	var texts []string
	attached := func(a *model.Account, arns []string) {
		for _, arn := range arns {
			for _, p := range a.Policies {
				if model.PolicyARN(a.Partition, a.ID, p.Path, p.Name) == arn || p.Name == arn {
					texts = append(texts, p.Document)
				}
			}
		}
	}
	inline := func(m map[string]string) {
		for _, d := range m {
			texts = append(texts, d)
		}
	}
	if q := strings.SplitN(roleARN, ":", 6); len(q) == 6 {
		if a := s.Accounts[q[4]]; a != nil {
			if r := a.Roles[model.NameKey(q[5][strings.LastIndexByte(q[5], '/')+1:])]; r != nil {
				texts = append(texts, r.TrustPolicy)
			}
		}
	}
	if p := strings.SplitN(principal, ":", 6); len(p) == 6 && s.Accounts[p[4]] != nil {
		a := s.Accounts[p[4]]
		switch {
		case strings.HasPrefix(p[5], "user/"):
			if u := a.Users[model.NameKey(p[5][strings.LastIndexByte(p[5], '/')+1:])]; u != nil {
				inline(u.InlinePolicies)
				attached(a, u.AttachedPolicies)
				if u.PermissionsBoundary != "" {
					attached(a, []string{u.PermissionsBoundary})
				}
				for _, g := range u.Groups {
					if grp := a.Groups[model.NameKey(g)]; grp != nil {
						inline(grp.InlinePolicies)
						attached(a, grp.AttachedPolicies)
					}
				}
			}
		default:
			name := p[5][strings.LastIndexByte(p[5], '/')+1:]
			if strings.HasPrefix(p[5], "assumed-role/") {
				name, _, _ = strings.Cut(strings.TrimPrefix(p[5], "assumed-role/"), "/")
			}
			if r := a.Roles[model.NameKey(name)]; r != nil {
				inline(r.InlinePolicies)
				attached(a, r.AttachedPolicies)
				if r.PermissionsBoundary != "" {
					attached(a, []string{r.PermissionsBoundary})
				}
			}
		}
	}
	if o := s.Organization; o != nil {
		p := strings.SplitN(principal, ":", 6)
		q := strings.SplitN(roleARN, ":", 6)
		if len(p) == 6 {
			for _, l := range o.Paths[p[4]] {
				for _, x := range l.SCPs {
					texts = append(texts, x.Document)
				}
			}
		}
		if len(q) == 6 {
			for _, l := range o.Paths[q[4]] {
				for _, x := range l.RCPs {
					texts = append(texts, x.Document)
				}
			}
		}
	}
	var out []policy.Document
	for _, t := range texts {
		if d, err := policy.Parse(t); err == nil {
			out = append(out, d)
		}
	}
	return out
}

var variable = regexp.MustCompile(`\$\{([^}]*)\}`)

// variablesOf returns the values of the policy variables this test knows
// for a principal: written here from the IAM User Guide's list, apart from
// the evaluator's own code.
func variablesOf(s *model.State, principal, roleARN string) map[string]string {
	out := map[string]string{"*": "*", "?": "?", "$": "$"}
	p := strings.SplitN(principal, ":", 6)
	if len(p) != 6 {
		return out
	}
	acct := s.Accounts[p[4]]
	out["aws:principalaccount"] = p[4]
	if q := strings.SplitN(roleARN, ":", 6); len(q) == 6 {
		out["aws:resourceaccount"] = q[4]
	}
	if acct == nil {
		return out
	}
	var tags map[string]string
	switch {
	case strings.HasPrefix(p[5], "user/"):
		name := p[5][strings.LastIndexByte(p[5], '/')+1:]
		out["aws:username"] = name
		out["aws:principalarn"] = principal
		if u := acct.Users[model.NameKey(name)]; u != nil {
			tags = u.Tags
		}
	case strings.HasPrefix(p[5], "role/"):
		name := p[5][strings.LastIndexByte(p[5], '/')+1:]
		out["aws:principalarn"] = principal
		if r := acct.Roles[model.NameKey(name)]; r != nil {
			tags = r.Tags
		}
	case strings.HasPrefix(p[5], "assumed-role/"):
		name, _, _ := strings.Cut(strings.TrimPrefix(p[5], "assumed-role/"), "/")
		if r := acct.Roles[model.NameKey(name)]; r != nil {
			out["aws:principalarn"] = model.RoleARN(acct.Partition, acct.ID, r.Path, r.Name)
			tags = r.Tags
		}
	}
	for k, v := range tags {
		out["aws:principaltag/"+strings.ToLower(k)] = v
	}
	return out
}

// valuesFor are request values to try against one test: each policy
// value as written, with its variables replaced (a default where the key
// has none), and with its wildcards filled in; for IP, numeric and Bool
// tests the values around the policy's; for Null a value at all.
func valuesFor(op string, vals []string, vars map[string]string) []string {
	var out []string
	lop := strings.ToLower(op)
	for _, v := range vals {
		forms := []string{v}
		resolved, ok := "", true
		resolved = variable.ReplaceAllStringFunc(v, func(m string) string {
			name, def, hasDef := strings.Cut(m[2:len(m)-1], ",")
			name = strings.TrimSpace(name)
			if x, found := vars[strings.ToLower(name)]; found {
				return x
			}
			if name == "*" || name == "?" || name == "$" {
				return name
			}
			if hasDef {
				return strings.Trim(strings.TrimSpace(def), "'")
			}
			ok = false
			return ""
		})
		if ok {
			forms = append(forms, resolved)
		}
		f := forms[len(forms)-1]
		forms = append(forms, strings.NewReplacer("*", "", "?", "x").Replace(f), strings.NewReplacer("*", "zz", "?", "q").Replace(f))
		out = append(out, forms...)
		switch {
		case strings.Contains(lop, "ipaddress"):
			if pfx, err := netip.ParsePrefix(v); err == nil {
				out = append(out, pfx.Addr().String())
			}
			out = append(out, "192.0.2.1")
		case strings.Contains(lop, "numeric"):
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				out = append(out, strconv.FormatFloat(n-1, 'f', -1, 64), strconv.FormatFloat(n+1, 'f', -1, 64))
			}
		case strings.Contains(lop, "bool"):
			out = append(out, "true", "false")
		case lop == "null":
			out = append(out, "present")
		}
	}
	return out
}

// genState makes a state of two or three accounts with random users,
// groups and roles, identity policies that allow or deny sts:AssumeRole,
// and trust policies that mix accounts, principals, MFA, ExternalIds,
// StringLike wildcards, policy variables and conditional denies.
func genState(r *rand.Rand) *model.State {
	ids := []string{"111111111111", "222222222222", "333333333333"}[:2+r.IntN(2)]
	s := model.NewState()
	type ent struct{ account, kind, name string }
	var users, roles []ent
	for _, id := range ids {
		a := s.Account(id, "aws")
		for i := range 1 + r.IntN(2) {
			name := fmt.Sprintf("G%d", i)
			a.Groups[model.NameKey(name)] = &model.Group{Name: name, Path: "/", InlinePolicies: map[string]string{}}
		}
		for i := range 1 + r.IntN(3) {
			name := fmt.Sprintf("u%d", i)
			u := &model.User{Name: name, Path: "/", InlinePolicies: map[string]string{}}
			if r.IntN(2) == 0 {
				u.Tags = map[string]string{"team": []string{"a", "b"}[r.IntN(2)]}
			}
			for g := range a.Groups {
				if r.IntN(2) == 0 {
					u.Groups = append(u.Groups, a.Groups[g].Name)
				}
			}
			slices.Sort(u.Groups)
			a.Users[model.NameKey(name)] = u
			users = append(users, ent{id, "user", name})
		}
		for i := range 1 + r.IntN(3) {
			name := fmt.Sprintf("R%d", i)
			path := "/"
			if r.IntN(4) == 0 {
				path = "/ops/"
			}
			a.Roles[model.NameKey(name)] = &model.Role{Name: name, Path: path, MaxSessionDuration: 3600, InlinePolicies: map[string]string{}}
			if r.IntN(3) == 0 {
				a.Roles[model.NameKey(name)].Tags = map[string]string{"team": "a"}
			}
			roles = append(roles, ent{id, "role", name})
		}
	}
	arnOf := func(e ent) string {
		a := s.Accounts[e.account]
		if e.kind == "user" {
			return model.UserARN("aws", e.account, "/", e.name)
		}
		r := a.Roles[model.NameKey(e.name)]
		return model.RoleARN("aws", e.account, r.Path, r.Name)
	}
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	conds := []map[string]map[string][]string{
		nil, nil,
		{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}},
		{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"true"}}},
		{"StringEquals": {"sts:ExternalId": {"x"}}},
		{"StringEquals": {"sts:ExternalId": {"x", "y"}}},
		{"StringLike": {"sts:ExternalId": {"ab*"}}},
		{"StringLike": {"sts:ExternalId": {"a?c", "*"}}},
		// A suffix where other layers ask a prefix ("ab*"): only a value
		// meeting both (the search's join) lets the principal in.
		{"StringLike": {"sts:ExternalId": {"*yz"}}},
		{"StringLike": {"sts:externalid": {"abc*"}}},
		{"StringEquals": {"sts:RoleSessionName": {"${aws:username}"}}},
		{"StringLike": {"sts:RoleSessionName": {"${aws:PrincipalTag/team}-*"}}},
		{"StringEquals": {"sts:RoleSessionName": {"${aws:PrincipalTag/team, 'none'}"}}},
		{"StringEquals": {"aws:PrincipalTag/team": {"a"}}},
		{"StringEquals": {"aws:PrincipalAccount": {pick(ids)}}},
		{"ArnLike": {"aws:PrincipalArn": {"arn:aws:iam::*:user/u*"}}},
		{"StringEquals": {"sts:ExternalId": {"${aws:PrincipalAccount}"}}},
		{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}, "StringEquals": {"sts:ExternalId": {"x"}}},
		{"IpAddress": {"aws:SourceIp": {"203.0.113.0/24"}}},
	}
	denyConds := []map[string]map[string][]string{
		{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"false"}}},
		{"StringLike": {"sts:ExternalId": {"bad*"}}},
		{"StringNotEquals": {"aws:PrincipalTag/team": {"a"}}},
		{"NotIpAddress": {"aws:SourceIp": {"198.51.100.0/24"}}},
		{"StringEquals": {"sts:RoleSessionName": {"${aws:username}"}}},
	}
	doc := func(stmts ...policy.Statement) string {
		v := policy.Version
		if r.IntN(8) == 0 {
			v = "2008-10-17"
		}
		return policy.Document{Version: v, Statements: stmts}.JSON()
	}
	principalValue := func() map[string][]string {
		switch r.IntN(9) {
		case 0:
			return map[string][]string{"AWS": {pick(ids)}}
		case 1:
			return map[string][]string{"AWS": {model.RootARN("aws", pick(ids))}}
		case 2, 3:
			return map[string][]string{"AWS": {arnOf(users[r.IntN(len(users))])}}
		case 4:
			return map[string][]string{"AWS": {arnOf(roles[r.IntN(len(roles))])}}
		case 5:
			e := roles[r.IntN(len(roles))]
			return map[string][]string{"AWS": {"arn:aws:sts::" + e.account + ":assumed-role/" + e.name + "/s1"}}
		case 6:
			return map[string][]string{"AWS": {"*"}}
		case 7:
			return map[string][]string{"Service": {"ec2.amazonaws.com"}}
		}
		return map[string][]string{"AWS": {pick(ids), arnOf(users[r.IntN(len(users))])}}
	}
	for _, e := range roles {
		role := s.Accounts[e.account].Roles[model.NameKey(e.name)]
		var stmts []policy.Statement
		for range 1 + r.IntN(3) {
			stmts = append(stmts, policy.Statement{Effect: "Allow", Principals: principalValue(), Actions: []string{"sts:AssumeRole"},
				Conditions: conds[r.IntN(len(conds))]})
		}
		if r.IntN(3) == 0 {
			stmts = append(stmts, policy.Statement{Effect: "Deny", Principals: map[string][]string{"AWS": {"*"}}, Actions: []string{"sts:AssumeRole"},
				Conditions: denyConds[r.IntN(len(denyConds))]})
		}
		if r.IntN(6) == 0 {
			stmts = append(stmts, policy.Statement{Effect: "Deny", Principals: map[string][]string{"AWS": {arnOf(users[r.IntN(len(users))])}}, Actions: []string{"sts:AssumeRole"}})
		}
		role.TrustPolicy = doc(stmts...)
	}
	// Some trust policies are wide: ten to thirteen conditional statements,
	// each for another principal (of the state, or an account root or role
	// outside it), each with its own ExternalId, so that the statements for
	// the later principals come after more conditional statements than a
	// search bounded by their count would read.
	for _, e := range roles {
		if r.IntN(4) != 0 {
			continue
		}
		pool := []string{"444444444400", "arn:aws:iam::444444444401:root", "arn:aws:iam::444444444402:root",
			"arn:aws:iam::555555555555:role/X", "*"}
		for _, u := range users {
			pool = append(pool, arnOf(u))
		}
		for _, ro := range roles {
			pool = append(pool, arnOf(ro))
		}
		pool = append(pool, ids...)
		r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		var stmts []policy.Statement
		for k, p := range pool[:min(len(pool), 10+r.IntN(4))] {
			c := map[string]map[string][]string{"StringEquals": {"sts:ExternalId": {fmt.Sprintf("e%d", k)}}}
			switch r.IntN(4) {
			case 0:
				c["Bool"] = map[string][]string{"aws:MultiFactorAuthPresent": {"true"}}
			case 1:
				if p == "*" {
					c["StringEquals"]["aws:PrincipalAccount"] = []string{pick(append(ids, "444444444400"))}
				}
			}
			stmts = append(stmts, policy.Statement{Effect: "Allow", Principals: map[string][]string{"AWS": {p}}, Actions: []string{"sts:AssumeRole"}, Conditions: c})
		}
		if r.IntN(3) == 0 {
			stmts = append(stmts, policy.Statement{Effect: "Deny", Principals: map[string][]string{"AWS": {"*"}}, Actions: []string{"sts:AssumeRole"},
				Conditions: denyConds[r.IntN(len(denyConds))]})
		}
		s.Accounts[e.account].Roles[model.NameKey(e.name)].TrustPolicy = doc(stmts...)
	}
	identity := func() string {
		var stmts []policy.Statement
		target := "*"
		switch r.IntN(3) {
		case 0:
			target = arnOf(roles[r.IntN(len(roles))])
		case 1:
			target = "arn:aws:iam::*:role/R*"
		}
		var c map[string]map[string][]string
		switch r.IntN(6) {
		case 0, 1:
			c = conds[r.IntN(len(conds))]
		case 2:
			// The suffix against the trust policies' prefixes, often
			// enough that layers testing one key meet in most states.
			c = map[string]map[string][]string{"StringLike": {"sts:ExternalId": {"*yz"}}}
		}
		stmts = append(stmts, policy.Statement{Effect: "Allow", Actions: []string{"sts:AssumeRole"}, Resources: []string{target}, Conditions: c})
		if r.IntN(3) == 0 {
			stmts = append(stmts, policy.Statement{Effect: "Deny", Actions: []string{"sts:AssumeRole"}, Resources: []string{"*"},
				Conditions: denyConds[r.IntN(len(denyConds))]})
		}
		return doc(stmts...)
	}
	for _, id := range ids {
		a := s.Accounts[id]
		for _, g := range a.Groups {
			if r.IntN(2) == 0 {
				g.InlinePolicies["p"] = identity()
			}
		}
		for _, u := range a.Users {
			if r.IntN(2) == 0 {
				u.InlinePolicies["p"] = identity()
			}
		}
		for _, ro := range a.Roles {
			if r.IntN(2) == 0 {
				ro.InlinePolicies["p"] = identity()
			}
		}
	}
	// Permissions boundaries, drawn last so that the states above stay
	// those the generator made before it had them: in some accounts a
	// customer managed policy "B" that allows everything, only
	// sts:AssumeRole under a condition, only S3, or everything but a
	// conditional deny, set on some of the account's users and roles.
	for _, id := range ids {
		a := s.Accounts[id]
		if r.IntN(2) == 0 {
			continue
		}
		var b string
		switch r.IntN(4) {
		case 0:
			b = doc(policy.Statement{Effect: "Allow", Actions: []string{"*"}, Resources: []string{"*"}})
		case 1:
			b = doc(policy.Statement{Effect: "Allow", Actions: []string{"sts:AssumeRole"}, Resources: []string{"*"}, Conditions: conds[r.IntN(len(conds))]})
		case 2:
			b = doc(policy.Statement{Effect: "Allow", Actions: []string{"s3:*"}, Resources: []string{"*"}})
		default:
			b = doc(policy.Statement{Effect: "Allow", Actions: []string{"*"}, Resources: []string{"*"}},
				policy.Statement{Effect: "Deny", Actions: []string{"sts:AssumeRole"}, Resources: []string{"*"}, Conditions: denyConds[r.IntN(len(denyConds))]})
		}
		a.Policies[model.NameKey("B")] = &model.ManagedPolicy{Name: "B", Path: "/", Document: b}
		arn := model.PolicyARN("aws", id, "/", "B")
		for _, k := range slices.Sorted(maps.Keys(a.Users)) {
			if r.IntN(3) == 0 {
				a.Users[k].PermissionsBoundary = arn
			}
		}
		for _, k := range slices.Sorted(maps.Keys(a.Roles)) {
			if r.IntN(3) == 0 {
				a.Roles[k].PermissionsBoundary = arn
			}
		}
	}
	// An organisation, in half the states, drawn after the boundaries for
	// the same reason: the first account is the management account, the
	// others sit in one OU each under the root, and some levels carry an
	// SCP that allows only sts:AssumeRole under a condition in place of
	// FullAWSAccess, an SCP that denies it under a condition, or an RCP
	// that denies it under a condition.
	if r.IntN(2) == 0 {
		spec := &model.OrganizationSpec{ID: "o-gen0000001", ManagementAccount: ids[0],
			PolicyTypes: []string{model.SCPType, model.RCPType}, Root: model.OrgRootSpec{ID: "r-gen0"},
			Units: map[string]*model.OrgUnitSpec{}, Accounts: map[string]*model.OrgAccountSpec{ids[0]: {Parent: "r-gen0"}},
			Policies: map[string]*model.OrgPolicySpec{}}
		stmtDoc := func(st policy.Statement) json.RawMessage {
			return json.RawMessage(policy.Document{Version: policy.Version, Statements: []policy.Statement{st}}.JSON())
		}
		for i, id := range ids[1:] {
			ou := fmt.Sprintf("ou-gen0-%08d", i)
			u := &model.OrgUnitSpec{Name: fmt.Sprintf("U%d", i), Parent: "r-gen0"}
			spec.Units[ou] = u
			spec.Accounts[id] = &model.OrgAccountSpec{Parent: ou}
			switch r.IntN(4) {
			case 0:
				p := fmt.Sprintf("p-allow%04d", i)
				spec.Policies[p] = &model.OrgPolicySpec{Name: "allow-assume", Type: model.SCPType,
					Document: stmtDoc(policy.Statement{Effect: "Allow", Actions: []string{"sts:AssumeRole"}, Resources: []string{"*"}, Conditions: conds[r.IntN(len(conds))]})}
				u.SCPs = &[]string{p}
			case 1:
				p := fmt.Sprintf("p-deny%04d", i)
				spec.Policies[p] = &model.OrgPolicySpec{Name: "deny-assume", Type: model.SCPType,
					Document: stmtDoc(policy.Statement{Effect: "Deny", Actions: []string{"sts:AssumeRole"}, Resources: []string{"*"}, Conditions: denyConds[r.IntN(len(denyConds))]})}
				u.SCPs = &[]string{model.FullAWSAccess.ID, p}
			case 2:
				p := fmt.Sprintf("p-rcp%04d", i)
				spec.Policies[p] = &model.OrgPolicySpec{Name: "deny-assume", Type: model.RCPType,
					Document: stmtDoc(policy.Statement{Effect: "Deny", Principals: map[string][]string{"*": nil}, Actions: []string{"sts:AssumeRole"}, Resources: []string{"*"}, Conditions: denyConds[r.IntN(len(denyConds))]})}
				u.RCPs = &[]string{p}
			}
		}
		org, err := spec.Build()
		if err != nil {
			panic(err)
		}
		s.Organization = org
	}
	return s
}
