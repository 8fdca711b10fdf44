package conformance

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/policy"
)

// corpusGlob is where the evaluation corpus lives, from the module's root.
const corpusGlob = "testdata/eval/*.json"

// testEvaluationCorpus runs the access evaluator's corpus (testdata/eval) on
// state as the target really stores and returns it: each case's state is
// created through Provider.Apply, read back through Provider.Read, and the
// case's request evaluated on what was read (documents URL-encoded,
// reordered, single values for lists...) and checked with Case.Check. The
// answers must not depend on the form a target gives the documents.
//
// One harness serves every case (moto's reset is slow): after each case
// everything it created is deleted through Provider.Apply, in the order the
// engine deletes (inline policies, attachments and memberships; then roles,
// users and groups; then policies), so the next case starts from empty
// accounts.
//
// Cases whose state cannot exist on IAM in the harness's two accounts are
// skipped with a log line naming the reason: a document that does not parse,
// a customer managed policy or group referenced but not in the state, a
// trust policy naming a user or role of those accounts that is not in the
// state or using NotPrincipal or a wildcard principal ARN (IAM refuses
// both in trust policies), an AWS managed policy the target does not hold
// (see Harness.AWSManaged), another partition or another account. A harness
// may name states its target cannot hold although IAM can
// (Harness.Unholdable); those cases are skipped on that target only.
func testEvaluationCorpus(t *testing.T, e *env) {
	files, err := corpusFiles()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ran, skipped := 0, 0
	for _, f := range files {
		cases, err := access.LoadCase(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			name := strings.TrimSuffix(filepath.Base(f), ".json") + "/" + c.Name
			if why := e.unholdable(c); why != "" {
				t.Logf("skipped %q: %s", name, why)
				skipped++
				continue
			}
			ran++
			var have map[string]*model.Account
			ce := e // the case's env: its accounts may be renamed (see runCase)
			t.Run(name, func(t *testing.T) {
				ce = e.with(t)
				have = ce.runCase(c)
			})
			ce.with(t).emptyAccounts(have)
		}
	}
	for _, a := range e.accounts() {
		for _, d := range diffAccount(model.NewAccount(a.ID, "aws"), e.read(a)) {
			t.Errorf("after the last case, account %s (%s) is not empty: %s", a.Name, a.ID, d)
		}
	}
	t.Logf("evaluation corpus: %d cases run, %d skipped, in %s", ran, skipped, time.Since(start).Round(time.Millisecond))
	if ran == 0 {
		t.Error("no case of the corpus ran")
	}
}

// corpusFiles finds the corpus from the working directory (a target's
// package directory when run by go test) up to the module's root.
func corpusFiles() ([]string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			files, err := filepath.Glob(filepath.Join(dir, corpusGlob))
			if err == nil && len(files) == 0 {
				err = fmt.Errorf("no evaluation corpus in %s", filepath.Join(dir, corpusGlob))
			}
			return files, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return nil, errors.New("conformance: no go.mod above the working directory, so no evaluation corpus")
		}
		dir = parent
	}
}

// runCase creates the case's state on the target, reads both accounts back,
// and evaluates the request on what was read. It returns the accounts read,
// for emptyAccounts; a case that fails before the read returns nothing.
func (e *env) runCase(c access.Case) map[string]*model.Account {
	e.t.Helper()
	spec := c.Spec.Organization
	if spec != nil {
		// The organisation is made first: a target that renames its IDs
		// (accounts among them) decides where the case's state goes.
		if renamed := e.setOrg(e.t, e.prov, spec); len(renamed) > 0 {
			c = renameCase(e.t, c, renamed)
			spec = c.Spec.Organization
			e.dev, e.prod = renamedAccount(e.dev, renamed), renamedAccount(e.prod, renamed)
		}
		defer e.setOrg(e.t, e.prov, nil)
	}
	want := c.State()
	e.createState(want)
	have := e.snapshot()
	for _, a := range e.accounts() {
		w := want.Accounts[a.ID]
		if w == nil {
			w = model.NewAccount(a.ID, "aws")
		}
		for _, d := range diffAccount(unreadCleared(w), unreadCleared(have[a.ID])) {
			e.t.Errorf("read back from account %s (%s): %s", a.Name, a.ID, d)
		}
	}
	// The evaluated state holds the case's accounts only, as read: an empty
	// account the case does not declare is not the same state (a resource
	// in an account the state does not hold is answered differently).
	readBack := model.NewState()
	for id := range want.Accounts {
		readBack.Accounts[id] = have[id]
	}
	if spec != nil {
		// The organisation made above is read back through its management
		// account, for the case's accounts, as a plan reads it; the next
		// case's Organization replaces it.
		via := &model.AccountConfig{Address: "account.management", Name: "management", ID: spec.ManagementAccount, Partition: "aws"}
		org, err := e.prov.(engine.OrganizationReader).ReadOrganization(e.ctx, via, want.AccountIDs())
		if err != nil {
			e.t.Fatalf("reading the organisation back: %v", err)
		}
		readBack.Organization = org
	}
	res := access.New(c.Inputs(readBack, e.awsManaged)).Evaluate(c.Request)
	if err := c.Check(res); err != nil {
		own := "passes"
		if err := c.Check(access.New(c.Inputs(want, e.awsManaged)).Evaluate(c.Request)); err != nil {
			own = "fails too"
		}
		e.t.Errorf("on the state read back from the target: %s\nthe same case on its own state %s\ncites: %s (%s)\nread back:\n%s",
			err, own, c.Cites, c.File, dumpState(readBack))
	}
	return have
}

// createState creates a state through Provider.Apply in dependency order:
// managed policies, groups, users and memberships, then roles (a trust
// policy may name users and other roles, which IAM wants to exist), then
// inline policies and attachments.
func (e *env) createState(s *model.State) {
	e.t.Helper()
	ids := s.AccountIDs()
	for _, id := range ids {
		a, acct := s.Accounts[id], e.config(id)
		for _, k := range slices.Sorted(maps.Keys(a.Policies)) {
			e.apply(acct, createChange(acct, a.Policies[k]))
		}
		for _, k := range slices.Sorted(maps.Keys(a.Groups)) {
			e.apply(acct, createChange(acct, a.Groups[k]))
		}
		for _, k := range slices.Sorted(maps.Keys(a.Users)) {
			u := a.Users[k]
			e.apply(acct, createChange(acct, u))
			for _, g := range u.Groups {
				e.apply(acct, createChange(acct, &model.Membership{User: u.Name, Group: g}))
			}
		}
	}
	e.createRoles(s)
	for _, id := range ids {
		acct := e.config(id)
		for _, p := range principalsOf(s.Accounts[id]) {
			for _, n := range slices.Sorted(maps.Keys(p.inline)) {
				e.apply(acct, createChange(acct, &model.InlinePolicy{PrincipalKind: p.kind, PrincipalName: p.name, Name: n, Document: p.inline[n]}))
			}
			for _, arn := range p.attached {
				e.apply(acct, createChange(acct, &model.Attachment{PrincipalKind: p.kind, PrincipalName: p.name, PolicyARN: arn}))
			}
		}
	}
}

// createRoles creates the state's roles, each after the roles its trust
// policy names. A role in a cycle (one naming itself, say) is created with a
// trust policy naming its own account and given its real one once every
// role exists, as one would on IAM.
func (e *env) createRoles(s *model.State) {
	e.t.Helper()
	type pending struct {
		account string
		role    *model.Role
		needs   []string // roleID of the state's roles its trust names
	}
	roleID := func(account, path, name string) string {
		return account + " " + pathOr(path) + " " + model.NameKey(name)
	}
	var todo []pending
	for _, id := range s.AccountIDs() {
		a := s.Accounts[id]
		for _, k := range slices.Sorted(maps.Keys(a.Roles)) {
			r := a.Roles[k]
			p := pending{account: id, role: r}
			for _, v := range trustedAWS(r.TrustPolicy) {
				pa, ok := parseIAMPrincipal(v)
				if !ok || pa.Kind != model.PrincipalRole {
					continue
				}
				if other := s.Accounts[pa.Account]; other != nil {
					if o := other.Roles[model.NameKey(pa.Name)]; o != nil && pathOr(o.Path) == pa.Path {
						p.needs = append(p.needs, roleID(pa.Account, pa.Path, pa.Name))
					}
				}
			}
			todo = append(todo, p)
		}
	}
	done := map[string]bool{}
	var later []pending
	for len(todo) > 0 {
		i := slices.IndexFunc(todo, func(p pending) bool {
			return !slices.ContainsFunc(p.needs, func(n string) bool { return !done[n] })
		})
		p := todo[max(i, 0)]
		r, acct := p.role, e.config(p.account)
		if i < 0 {
			r = r.Clone()
			r.TrustPolicy = trust(model.RootARN("aws", p.account))
			later = append(later, p)
		}
		e.apply(acct, createChange(acct, r))
		done[roleID(p.account, r.Path, r.Name)] = true
		todo = slices.Delete(todo, max(i, 0), max(i, 0)+1)
	}
	for _, p := range later {
		before := p.role.Clone()
		before.TrustPolicy = trust(model.RootARN("aws", p.account))
		acct := e.config(p.account)
		e.apply(acct, updateChange(acct, before, p.role))
	}
}

// emptyAccounts deletes everything in the harness's accounts through
// Provider.Apply, in the order the engine deletes: inline policies,
// attachments and memberships; roles, users and groups; managed policies.
// have is what the accounts hold (read after the case), or nil to read them.
func (e *env) emptyAccounts(have map[string]*model.Account) {
	e.t.Helper()
	if have == nil {
		have = e.snapshot()
	}
	for _, acct := range e.accounts() {
		for _, p := range principalsOf(have[acct.ID]) {
			for _, n := range slices.Sorted(maps.Keys(p.inline)) {
				e.apply(acct, deleteChange(acct, &model.InlinePolicy{PrincipalKind: p.kind, PrincipalName: p.name, Name: n, Document: p.inline[n]}))
			}
			for _, arn := range p.attached {
				e.apply(acct, deleteChange(acct, &model.Attachment{PrincipalKind: p.kind, PrincipalName: p.name, PolicyARN: arn}))
			}
			for _, g := range p.groups {
				e.apply(acct, deleteChange(acct, &model.Membership{User: p.name, Group: g}))
			}
		}
	}
	// Roles first: deleting a user or role that a trust policy names
	// rewrites that trust policy on IAM (to the principal's unique id).
	for _, acct := range e.accounts() {
		a := have[acct.ID]
		for _, k := range slices.Sorted(maps.Keys(a.Roles)) {
			e.apply(acct, deleteChange(acct, a.Roles[k]))
		}
	}
	for _, acct := range e.accounts() {
		a := have[acct.ID]
		for _, k := range slices.Sorted(maps.Keys(a.Users)) {
			e.apply(acct, deleteChange(acct, a.Users[k]))
		}
		for _, k := range slices.Sorted(maps.Keys(a.Groups)) {
			e.apply(acct, deleteChange(acct, a.Groups[k]))
		}
	}
	for _, acct := range e.accounts() {
		a := have[acct.ID]
		for _, k := range slices.Sorted(maps.Keys(a.Policies)) {
			e.apply(acct, deleteChange(acct, a.Policies[k]))
		}
	}
}

// config returns the harness's config of an account the suite uses.
func (e *env) config(id string) *model.AccountConfig {
	for _, a := range e.accounts() {
		if a.ID == id {
			return a
		}
	}
	e.t.Fatalf("conformance: no harness account %s", id)
	return nil
}

// policyHolder is a role, group or user with its policies, and a user's
// groups, in a fixed order: roles, groups, users, each by name.
type policyHolder struct {
	kind     model.Kind
	name     string
	inline   map[string]string
	attached []string
	groups   []string
	boundary string // ARN of its permissions boundary, or ""
}

func principalsOf(a *model.Account) []policyHolder {
	var out []policyHolder
	for _, k := range slices.Sorted(maps.Keys(a.Roles)) {
		r := a.Roles[k]
		out = append(out, policyHolder{model.KindRole, r.Name, r.InlinePolicies, r.AttachedPolicies, nil, r.PermissionsBoundary})
	}
	for _, k := range slices.Sorted(maps.Keys(a.Groups)) {
		g := a.Groups[k]
		out = append(out, policyHolder{model.KindGroup, g.Name, g.InlinePolicies, g.AttachedPolicies, nil, ""})
	}
	for _, k := range slices.Sorted(maps.Keys(a.Users)) {
		u := a.Users[k]
		out = append(out, policyHolder{model.KindUser, u.Name, u.InlinePolicies, u.AttachedPolicies, u.Groups, u.PermissionsBoundary})
	}
	return out
}

// awsManagedPrefix starts the ARN of every AWS managed policy in partition aws.
const awsManagedPrefix = "arn:aws:iam::aws:policy/"

// unholdable says why the case's state cannot be created on IAM in the
// harness's accounts, or on the harness's target, or returns "" when it can.
// The answer is the same on every target, except for AWS managed policies,
// which are the harness's to know (Harness.AWSManaged), and for what the
// harness says its target cannot hold (Harness.Unholdable).
func (e *env) unholdable(c access.Case) string {
	s := c.State()
	if s.Organization != nil && e.setOrg == nil {
		why := e.noOrg
		if why == "" {
			why = "the harness cannot make an organisation on its target (Harness.Organization is nil)"
		}
		return "the case describes an organisation: " + why
	}
	if _, ok := e.prov.(engine.OrganizationReader); s.Organization != nil && !ok {
		return "the case describes an organisation, and the target reads none (no engine.OrganizationReader)"
	}
	ids := s.AccountIDs()
	for _, id := range ids {
		if p := s.Accounts[id].Partition; p != "aws" {
			return fmt.Sprintf("account %s is in partition %q; the harness's accounts are in partition aws", id, p)
		}
	}
	for _, id := range ids {
		if id != developmentID && id != productionID {
			return fmt.Sprintf("account %s is not one the harness gives (%s, %s)", id, developmentID, productionID)
		}
	}
	for _, id := range ids {
		a := s.Accounts[id]
		for _, k := range slices.Sorted(maps.Keys(a.Policies)) {
			p := a.Policies[k]
			if why := unparsable(p.Document); why != "" {
				return fmt.Sprintf("the document of managed policy %q in %s %s", p.Name, id, why)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(a.Roles)) {
			r := a.Roles[k]
			if why := unparsable(r.TrustPolicy); why != "" {
				return fmt.Sprintf("the trust policy of role %q in %s %s", r.Name, id, why)
			}
			if why := untrustable(r.TrustPolicy); why != "" {
				return fmt.Sprintf("the trust policy of role %q in %s %s", r.Name, id, why)
			}
			if why := missingTrusted(s, r.TrustPolicy); why != "" {
				return fmt.Sprintf("the trust policy of role %q in %s names %s", r.Name, id, why)
			}
		}
		for _, p := range principalsOf(a) {
			where := fmt.Sprintf("%s %q in %s", p.kind, p.name, id)
			for _, n := range slices.Sorted(maps.Keys(p.inline)) {
				if why := unparsable(p.inline[n]); why != "" {
					return fmt.Sprintf("inline policy %q of %s %s", n, where, why)
				}
			}
			for _, arn := range p.attached {
				if why := e.unattachable(c, a, arn); why != "" {
					return fmt.Sprintf("%s attaches %s", where, why)
				}
			}
			if p.boundary != "" {
				// IAM refuses a boundary that is not an existing managed
				// policy as it refuses such an attachment.
				if why := e.unattachable(c, a, p.boundary); why != "" {
					return fmt.Sprintf("%s has as its permissions boundary %s", where, why)
				}
			}
			for _, g := range p.groups {
				if a.Groups[model.NameKey(g)] == nil {
					return fmt.Sprintf("%s is in group %q, which is not in the state: IAM cannot add a user to a group that does not exist", where, g)
				}
			}
		}
	}
	if e.targetUnholdable != nil {
		if why := e.targetUnholdable(s); why != "" {
			return "the target cannot hold it: " + why
		}
	}
	return ""
}

func unparsable(doc string) string {
	if _, err := policy.Parse(doc); err != nil {
		return fmt.Sprintf("does not parse (%v): IAM refuses such a document", err)
	}
	return ""
}

// unattachable says why a policy cannot be attached in account a, or "".
// An AWS managed policy must be one the target holds, which only
// Harness.AWSManaged tells: a document the case supplies is for an ARN the
// target does not know unless the harness knows it too, and without
// Harness.AWSManaged no AWS managed policy is known to be held.
func (e *env) unattachable(c access.Case, a *model.Account, arn string) string {
	if strings.HasPrefix(arn, awsManagedPrefix) {
		_, supplied := c.Spec.AWSManaged[arn]
		held := false
		if e.awsManaged != nil {
			_, held = e.awsManaged(arn)
		}
		switch {
		case held:
			return ""
		case e.awsManaged == nil && supplied:
			return fmt.Sprintf("AWS managed policy %s, which the case supplies, but the harness names no AWS managed policies its target holds (Harness.AWSManaged is nil)", arn)
		case e.awsManaged == nil:
			return fmt.Sprintf("AWS managed policy %s, which the case does not supply and the harness gives no AWS managed policies to resolve (Harness.AWSManaged is nil)", arn)
		case supplied:
			return fmt.Sprintf("AWS managed policy %s, which the case supplies but the target does not hold (Harness.AWSManaged does not know it)", arn)
		}
		return fmt.Sprintf("AWS managed policy %s, which the target does not hold (Harness.AWSManaged does not know it)", arn)
	}
	for _, p := range a.Policies {
		if model.PolicyARN(a.Partition, a.ID, p.Path, p.Name) == arn {
			return ""
		}
	}
	return fmt.Sprintf("customer managed policy %s, which is not in the state: IAM cannot attach a policy that does not exist (nor one of another account)", arn)
}

// untrustable says what IAM refuses in a trust policy whatever the
// accounts hold, or "": NotPrincipal ("You cannot use the NotPrincipal
// element in an IAM identity-based policy nor in an IAM role trust policy",
// AWS JSON policy elements: NotPrincipal) and principal ARNs with wildcards
// (only a whole "*" is a wildcard principal; IAM answers "Invalid principal
// in policy").
func untrustable(doc string) string {
	d, err := policy.Parse(doc)
	if err != nil {
		return ""
	}
	for i, st := range d.Statements {
		if st.NotPrincipals != nil {
			return fmt.Sprintf("uses NotPrincipal (statement %d): IAM refuses NotPrincipal in a role trust policy", i+1)
		}
		for typ, vals := range st.Principals {
			// The IAM JSON policy grammar has a principal type name at
			// least one principal_id_string; the local target refuses an
			// empty list as "Invalid principal in policy". AWS's pages do
			// not say what IAM answers (moto stores it), so a case with one
			// is evaluated on the corpus's own state only.
			if typ != "*" && len(vals) == 0 {
				return fmt.Sprintf("names no %s principal in a %q list (statement %d): the IAM policy grammar has a principal list name at least one principal", typ, typ, i+1)
			}
		}
		for _, v := range st.Principals["AWS"] {
			if v != "*" && strings.Contains(v, "*") {
				return fmt.Sprintf("names the principal %s: IAM refuses wildcards in principal ARNs (\"Invalid principal in policy\")", v)
			}
		}
	}
	return ""
}

// missingTrusted returns the first user or role of a harness account that
// the trust policy names but the state lacks, described, or "". IAM refuses
// such a trust policy ("Invalid principal in policy"): it stores principals
// by unique id. Principals of other accounts are not the harness's to hold.
func missingTrusted(s *model.State, trustPolicy string) string {
	for _, v := range trustedAWS(trustPolicy) {
		p, ok := parseIAMPrincipal(v)
		if !ok || (p.Account != developmentID && p.Account != productionID) {
			continue
		}
		exists := false
		if a := s.Accounts[p.Account]; a != nil {
			switch p.Kind {
			case model.PrincipalUser:
				u := a.Users[model.NameKey(p.Name)]
				exists = u != nil && pathOr(u.Path) == p.Path
			case model.PrincipalRole:
				r := a.Roles[model.NameKey(p.Name)]
				exists = r != nil && pathOr(r.Path) == p.Path
			}
		}
		if !exists {
			return fmt.Sprintf("%s, which is not in the state: IAM refuses a trust policy naming a %s that does not exist (\"Invalid principal in policy\")", v, p.Kind)
		}
	}
	return ""
}

// trustedAWS returns the AWS principals of a trust policy's Principal
// elements (IAM resolves those to unique ids when the policy is saved).
func trustedAWS(doc string) []string {
	d, err := policy.Parse(doc)
	if err != nil {
		return nil
	}
	var out []string
	for _, st := range d.Statements {
		out = append(out, st.Principals["AWS"]...)
	}
	return out
}

// parseIAMPrincipal reads a user or role ARN in partition aws, with a
// 12-digit account and no wildcards: the principals the harness holds.
func parseIAMPrincipal(v string) (model.Principal, bool) {
	p, err := model.ParsePrincipal(v)
	ok := err == nil && p.Partition == "aws" && policy.IsAccountID(p.Account) && !strings.Contains(v, "*") &&
		(p.Kind == model.PrincipalUser || p.Kind == model.PrincipalRole)
	return p, ok
}

// dumpState renders a state's objects and documents as read, for a failure.
func dumpState(s *model.State) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, "  "+format+"\n", args...) }
	for _, id := range s.AccountIDs() {
		a := s.Accounts[id]
		line("account %s (%s)", id, a.Partition)
		for _, k := range slices.Sorted(maps.Keys(a.Policies)) {
			p := a.Policies[k]
			line("  policy %s%s: %s", p.Path, p.Name, p.Document)
		}
		for _, k := range slices.Sorted(maps.Keys(a.Roles)) {
			r := a.Roles[k]
			line("  role %s%s tags %v trust: %s", r.Path, r.Name, r.Tags, r.TrustPolicy)
		}
		for _, k := range slices.Sorted(maps.Keys(a.Users)) {
			u := a.Users[k]
			line("  user %s%s tags %v groups %v", u.Path, u.Name, u.Tags, u.Groups)
		}
		for _, k := range slices.Sorted(maps.Keys(a.Groups)) {
			g := a.Groups[k]
			line("  group %s%s", g.Path, g.Name)
		}
		for _, p := range principalsOf(a) {
			for _, n := range slices.Sorted(maps.Keys(p.inline)) {
				line("  %s %s inline %s: %s", p.kind, p.name, n, p.inline[n])
			}
			for _, arn := range p.attached {
				line("  %s %s attached %s", p.kind, p.name, arn)
			}
		}
	}
	return b.String()
}

// renameCase is a case with every occurrence of each renamed ID (an
// account, the organisation, its root, an OU, a policy) replaced by the
// target's, in its state, request and expected answer alike: the reasons
// name the policies and OUs by ID. IDs are replaced longest first, as
// text, which is safe for IDs of these forms (12 digits, o-, r-, ou-, p-
// followed by letters and digits) since none is a part of another.
func renameCase(t *testing.T, c access.Case, renamed map[string]string) access.Case {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("renaming the case: %v", err)
	}
	text := string(b)
	ids := slices.SortedFunc(maps.Keys(renamed), func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	var pairs []string
	for _, id := range ids {
		pairs = append(pairs, id, renamed[id])
	}
	text = strings.NewReplacer(pairs...).Replace(text)
	var out access.Case
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("renaming the case: %v", err)
	}
	out.File = c.File
	return out
}

// renamedAccount is a harness account under the ID the target gave it.
func renamedAccount(a *model.AccountConfig, renamed map[string]string) *model.AccountConfig {
	id, ok := renamed[a.ID]
	if !ok {
		return a
	}
	c := *a
	c.ID = id
	return &c
}
