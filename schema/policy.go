package schema

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/trustform/trustform/engine/policy"
)

var actionRe = regexp.MustCompile(`^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$`)

// What the reference-holding arguments accept.
var (
	accountRule = refRule{what: "an account", example: "account.production", kinds: []string{"account"}}
	groupRule   = refRule{what: "a group", example: "group.developers", kinds: []string{"group"}}
	roleRule    = refRule{
		what: "a role", example: "role.update_app", kinds: []string{"role"},
		arn: RoleARNPattern, arnWhat: `a role ARN such as "arn:aws:iam::999999999999:role/UpdateApp"`,
	}
	policyRule = refRule{
		what: "a managed policy", example: "policy.read_write_app_bucket", kinds: []string{"policy"},
		arn: policyARNRe, arnWhat: `a policy ARN such as "arn:aws:iam::aws:policy/ReadOnlyAccess"`,
	}
	trustPrincipalRule = refRule{
		what: "a user or role", example: "role.source", kinds: []string{"user", "role", "account"},
		arn: PrincipalARNPattern, arnWhat: `a principal ARN such as "arn:aws:iam::111111111111:role/Source"`,
		kindHint: map[string]string{
			"group": " IAM does not allow groups as principals. Trust the group's account in accounts = [...], " +
				`and let the group assume the role with a grant block: grant "NAME" { to = [group.NAME], roles = [role.NAME] }.`,
			"policy": " A policy is not a principal.",
		},
	}
	grantToRule = refRule{what: "a group, user or role", example: "group.developers", kinds: []string{"group", "user", "role"}}
	actorRule   = refRule{
		what: "a user or role", example: "user.david", kinds: []string{"user", "role"},
		kindHint: map[string]string{"group": " A group cannot assume a role itself: name one of its users."},
	}
	onlyByRule = refRule{what: "a group, user, role or account", example: "group.developers", kinds: []string{"group", "user", "role", "account"}}
)

// permissions renders the statement blocks or the document of a policy or an
// inline_policy. what names the block for messages ("policy", "inline_policy").
func (s *scope) permissions(d *decoded, what string) (string, status) {
	stmts := d.children("statement")
	docAttr := d.attrs["document"]
	if docAttr != nil && len(stmts) > 0 {
		s.errorf(docAttr.Expr.Range(), "Both statement blocks and document",
			"%s takes its permissions from statement blocks or from document, not both. Remove document to use the statement blocks (the first is at %s), or remove the statement blocks.",
			capitalArticle(what)+" "+what, posString(stmts[0].block.DefRange))
		return "", failed
	}
	if docAttr != nil {
		text, st := s.str(d, "document")
		if st != valid {
			if st == absent {
				s.errorf(docAttr.Expr.Range(), "Missing policy document", "document is null. Give the policy JSON, for example document = file(\"policies/rw.json\"), or use statement blocks.")
			}
			return "", failed
		}
		doc, err := policy.ParseStrict(text)
		if err != nil {
			if !s.documentError(docAttr, err) {
				s.errorf(docAttr.Expr.Range(), "Invalid policy document",
					"document is not a valid IAM policy: %v. Give JSON such as jsonencode({ Version = \"2012-10-17\", Statement = [...] }) or file(\"policies/rw.json\").", err)
			}
			return "", failed
		}
		for _, st := range doc.Statements {
			if st.Principals != nil || st.NotPrincipals != nil {
				s.errorf(docAttr.Expr.Range(), "Principal in an identity-based policy",
					"%s is attached to users, groups or roles and applies to them; it cannot name a Principal. Remove Principal; to let someone assume a role, use the role's trust blocks or a grant block.", capitalArticle(what)+" "+what)
				return "", failed
			}
		}
		if s.documentProblems(docAttr, doc.Check(policy.Identity)) {
			return "", failed
		}
		return strings.TrimSpace(text), valid
	}
	if len(stmts) == 0 {
		s.errorf(d.block.DefRange, "Missing policy statements",
			"%s needs statement blocks or a document, for example:\n  statement {\n    actions   = [\"s3:ListBucket\"]\n    resources = [\"arn:aws:s3:::example\"]\n  }\nor document = file(\"policies/example.json\").", capitalArticle(what)+" "+what)
		return "", failed
	}
	doc := policy.Document{Version: policy.Version}
	st := valid
	sids := map[string]*decoded{}
	for _, sb := range stmts {
		stmt, ok := s.statement(sb)
		if !ok {
			st = failed
		}
		// "In IAM, the Sid value must be unique within a JSON policy."
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
		if stmt.Sid != "" {
			if first := sids[stmt.Sid]; first != nil {
				s.errorf(sb.attrs["sid"].Expr.Range(), "Duplicate sid",
					"The sid %q is also the sid of the statement at %s; IAM requires each sid to be unique within a policy. Rename one, or remove the sid.",
					stmt.Sid, posString(first.attrs["sid"].Expr.Range()))
				st = failed
			} else {
				sids[stmt.Sid] = sb
			}
		}
		doc.Statements = append(doc.Statements, stmt)
	}
	return doc.JSON(), st
}

// documentError reports what ParseStrict refuses that has a diagnostic of
// its own: a duplicate JSON key, a character IAM does not accept, a
// percent-encoded document. It reports nothing, and returns false, for
// other errors.
func (s *scope) documentError(a *hcl.Attribute, err error) bool {
	var dup *policy.DuplicateKeyError
	var bad *policy.RuneError
	var enc *policy.EncodedError
	switch {
	case errors.As(err, &dup):
		s.errorf(a.Expr.Range(), "Duplicate JSON key",
			"%s names the key %q twice in %s (the second at line %d, column %d of the JSON). A JSON reader keeps only one of the two values, "+
				"so what the plan shows could differ from the text IAM reads: remove one of them.",
			a.Name, dup.Key, jsonWhere(dup.Path), dup.Line, dup.Column)
	case errors.As(err, &bad):
		s.errorf(a.Expr.Range(), "Character IAM does not accept",
			"%s holds the character %U in %s (%q). IAM accepts only tab, line feed, carriage return and the characters U+0020 to U+00FF in a policy document "+
				"(the PolicyDocument pattern of CreatePolicy and CreateRole). Remove it: it is often pasted in unseen.",
			a.Name, bad.Rune, jsonWhere(bad.Path), bad.Value)
	case errors.As(err, &enc):
		s.errorf(a.Expr.Range(), "Percent-encoded policy document",
			"%s is percent-encoded (it starts with %q), as IAM's read APIs return documents; IAM's write APIs take the JSON text. "+
				"Decode it and give the JSON, or write the document with jsonencode({...}).",
			a.Name, enc.Start)
	default:
		return false
	}
	return true
}

func jsonWhere(path string) string {
	if path == "" {
		return "the document's top level"
	}
	return path
}

// documentProblems reports what Check found in a document or
// trust_document, at the attribute, and whether it found anything.
// Each rule cites its page in engine/policy's Check.
func (s *scope) documentProblems(a *hcl.Attribute, probs []policy.Problem) bool {
	rng := a.Expr.Range()
	for _, p := range probs {
		where := a.Name
		if p.Statement > 0 {
			where = fmt.Sprintf("%s, statement %d", a.Name, p.Statement)
		}
		switch p.Rule {
		case policy.NoStatements:
			s.errorf(rng, "Policy without statements", "In %s: %s.", where, p.Detail)
		case policy.BadSid:
			s.errorf(rng, "Invalid sid", "In %s: %s.", where, p.Detail)
		case policy.DuplicateSid:
			s.errorf(rng, "Duplicate sid", "In %s: %s.", where, p.Detail)
		case policy.NoResource:
			s.errorf(rng, "Statement without resources", "In %s: %s.", where, p.Detail)
		case policy.BadAction, policy.EmptyActionSet:
			s.errorf(rng, "Invalid action", "In %s: %s.", where, p.Detail)
		case policy.BadResource:
			s.errorf(rng, "Invalid resource", "In %s: %s.", where, p.Detail)
		case policy.NoPrincipal:
			s.errorf(rng, "NotPrincipal in a trust policy", "In %s: %s.", where, p.Detail)
		case policy.BadPrincipal:
			s.errorf(rng, "Invalid principal", "In %s: %s.", where, p.Detail)
		case policy.TrustResource:
			s.errorf(rng, "Resource in a trust policy", "In %s: %s.", where, p.Detail)
		case policy.TrustNonSTS:
			s.errorf(rng, "Invalid trust action", "In %s: %s.", where, p.Detail)
		default:
			s.errorf(rng, "Invalid policy document", "In %s: %s.", where, p.Detail)
		}
	}
	return len(probs) > 0
}

// checkRunes reports a value of argument name holding a character outside
// IAM's PolicyDocument pattern [\u0009\u000A\u000D\u0020-\u00FF]+, such
// as a zero-width space pasted into an ARN.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html (PolicyDocument)
func (s *scope) checkRunes(d *decoded, name string, values ...string) bool {
	a := d.attrs[name]
	if a == nil {
		return true
	}
	for _, v := range values {
		if r, bad := policy.FirstBadRune(v); bad {
			rng := a.Expr.Range()
			if er, ok := s.elementRange(a, v); ok {
				rng = er
			}
			s.errorf(rng, "Character IAM does not accept",
				"%s holds the character %U in %q. IAM accepts only tab, line feed, carriage return and the characters U+0020 to U+00FF in a policy document "+
					"(the PolicyDocument pattern of CreatePolicy and CreateRole). Remove it: it is often pasted in unseen.",
				name, r, v)
			return false
		}
	}
	return true
}

func (s *scope) statement(d *decoded) (policy.Statement, bool) {
	ok := true
	stmt := policy.Statement{Effect: "Allow"}
	if sid, st := s.str(d, "sid"); st == valid {
		if !SidPattern.MatchString(sid) {
			s.errorf(d.attrs["sid"].Expr.Range(), "Invalid sid", "The sid %q may only hold letters and digits.", sid)
			ok = false
		}
		stmt.Sid = sid
	}
	if eff, st := s.str(d, "effect"); st == valid {
		if eff != "Allow" && eff != "Deny" {
			s.errorf(d.attrs["effect"].Expr.Range(), "Invalid effect", `effect must be "Allow" or "Deny" (spelled so), not %q.`, eff)
			ok = false
		}
		stmt.Effect = eff
	} else if st == failed {
		ok = false
	}
	if a := d.attrs["principals"]; a != nil {
		s.errorf(a.NameRange, "Principals not allowed in an identity-based policy",
			"A policy attached to users, groups or roles applies to them and cannot name principals. "+
				"To say who may assume a role, use a trust block on the role (trust { principals = [...] }); to let a group, user or role assume one, use a grant block.")
		ok = false
	}
	var okA, okR bool
	stmt.Actions, stmt.NotActions, okA = s.pair(d, "actions", "not_actions", true,
		`A statement needs actions (or not_actions), for example actions = ["s3:GetObject"].`)
	stmt.Resources, stmt.NotResources, okR = s.pair(d, "resources", "not_resources", true,
		`A statement in a policy for users, groups or roles needs resources (or not_resources): the ARNs it applies to, for example resources = ["arn:aws:s3:::productionapp/*"] or ["*"].`)
	for _, list := range [][]string{stmt.Actions, stmt.NotActions} {
		for _, act := range list {
			if !actionRe.MatchString(act) {
				name := "actions"
				if stmt.NotActions != nil {
					name = "not_actions"
				}
				s.errorf(d.attrs[name].Expr.Range(), "Invalid action",
					`%q is not an IAM action: write service:Action, such as "s3:GetObject" or "s3:*".`, act)
				ok = false
			}
		}
	}
	// A resource is "*" or an ARN, arn:partition:service:region:account:resource.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
	for _, name := range []string{"resources", "not_resources"} {
		list := stmt.Resources
		if name == "not_resources" {
			list = stmt.NotResources
		}
		for _, r := range list {
			if !policy.ValidResource(r) {
				rng := d.attrs[name].Expr.Range()
				if er, found := s.elementRange(d.attrs[name], r); found {
					rng = er
				}
				s.errorf(rng, "Invalid resource",
					`%q is neither "*" nor an ARN: write arn:partition:service:region:account:resource, such as "arn:aws:s3:::example/*" or "arn:aws:dynamodb:eu-west-1:111111111111:table/Orders", or "*".`, r)
				ok = false
			}
		}
	}
	ok = s.checkRunes(d, "sid", stmt.Sid) && ok
	ok = s.checkRunes(d, "actions", stmt.Actions...) && ok
	ok = s.checkRunes(d, "not_actions", stmt.NotActions...) && ok
	ok = s.checkRunes(d, "resources", stmt.Resources...) && ok
	ok = s.checkRunes(d, "not_resources", stmt.NotResources...) && ok
	conds, okC := s.conditions(d)
	if len(conds) > 0 {
		stmt.Conditions = conds
	}
	return stmt, ok && okA && okR && okC
}

// pair reads two exclusive list arguments (actions/not_actions,
// resources/not_resources) of which one is required and must not be empty.
func (s *scope) pair(d *decoded, name, notName string, required bool, missing string) ([]string, []string, bool) {
	a, stA := s.strList(d, name)
	n, stN := s.strList(d, notName)
	switch {
	case stA == failed || stN == failed:
		return a, n, false
	case stA == valid && stN == valid:
		s.errorf(d.attrs[notName].NameRange, "Both "+name+" and "+notName,
			"A statement has %s or %s, not both: %s matches everything except what it lists. Remove one.", name, notName, notName)
		return a, n, false
	case stA == absent && stN == absent:
		if required {
			s.errorf(d.block.DefRange, "Missing "+name, "%s", missing)
			return nil, nil, false
		}
	case stA == valid && len(a) == 0:
		s.errorf(d.attrs[name].Expr.Range(), "Empty "+name, "%s is an empty list; give at least one, or remove the statement.", name)
		return a, n, false
	case stN == valid && len(n) == 0:
		s.errorf(d.attrs[notName].Expr.Range(), "Empty "+notName, "%s is an empty list; give at least one, or use %s.", notName, name)
		return a, n, false
	}
	return a, n, true
}

// conditions renders condition blocks as Conditions[test][variable] = values.
// Two blocks with the same test and variable add their values together,
// which is what IAM does with one key listing several values.
func (s *scope) conditions(d *decoded) (map[string]map[string][]string, bool) {
	out := map[string]map[string][]string{}
	ok := true
	for _, c := range d.children("condition") {
		test, st1 := s.str(c, "test")
		variable, st2 := s.str(c, "variable")
		values, st3 := s.strList(c, "values")
		if st1 != valid || st2 != valid || st3 != valid {
			ok = ok && st1 != failed && st2 != failed && st3 != failed
			continue
		}
		if len(values) == 0 {
			s.errorf(c.attrs["values"].Expr.Range(), "Empty condition values",
				"A condition with no values never matches. Give at least one value, or remove the condition.")
			ok = false
			continue
		}
		if !s.checkRunes(c, "test", test) || !s.checkRunes(c, "variable", variable) || !s.checkRunes(c, "values", values...) {
			ok = false
			continue
		}
		addCondition(out, test, variable, values...)
	}
	return out, ok
}

func addCondition(c map[string]map[string][]string, test, variable string, values ...string) {
	if c[test] == nil {
		c[test] = map[string][]string{}
	}
	c[test][variable] = append(c[test][variable], values...)
}

// trustPolicy renders a role's trust blocks, or checks its trust_document.
func (s *scope) trustPolicy(d *decoded) (string, status) {
	trusts := d.children("trust")
	ta := d.attrs["trust_document"]
	if ta != nil && len(trusts) > 0 {
		s.errorf(ta.Expr.Range(), "Both trust blocks and trust_document",
			"A role's trust policy comes from trust blocks or from trust_document, not both. Remove trust_document to use the trust blocks (the first is at %s), or remove the trust blocks.",
			posString(trusts[0].block.DefRange))
		return "", failed
	}
	if ta != nil {
		text, st := s.str(d, "trust_document")
		if st != valid {
			if st == absent {
				s.errorf(ta.Expr.Range(), "Missing trust policy", "trust_document is null. Give the trust policy JSON, or use trust blocks.")
			}
			return "", failed
		}
		doc, err := policy.ParseStrict(text)
		if err != nil {
			if !s.documentError(ta, err) {
				s.errorf(ta.Expr.Range(), "Invalid trust policy",
					"trust_document is not a valid IAM policy: %v. Give JSON such as jsonencode({...}) or file(\"trust.json\"), or use trust blocks.", err)
			}
			return "", failed
		}
		for _, st := range doc.Statements {
			if st.Principals == nil && st.NotPrincipals == nil {
				s.errorf(ta.Expr.Range(), "Invalid trust policy",
					"Every statement of a trust policy must name a Principal: who may assume the role. Add Principal, or use trust blocks.")
				return "", failed
			}
		}
		if s.documentProblems(ta, doc.Check(policy.Trust)) {
			return "", failed
		}
		return strings.TrimSpace(text), valid
	}
	if len(trusts) == 0 {
		s.errorf(d.block.DefRange, "Missing trust policy",
			"A role needs trust blocks (who may assume it) or trust_document, for example:\n  trust {\n    accounts = [account.development]\n  }")
		return "", failed
	}
	doc := policy.Document{Version: policy.Version}
	st := valid
	for _, tb := range trusts {
		stmt, ok := s.trustStatement(tb)
		if !ok {
			st = failed
		}
		doc.Statements = append(doc.Statements, stmt)
	}
	return doc.JSON(), st
}

// trustStatement renders one trust block: Allow sts:AssumeRole to the
// accounts' root principals, the given principals and services, under the
// block's conditions.
func (s *scope) trustStatement(d *decoded) (policy.Statement, bool) {
	ok := true
	stmt := policy.Statement{Effect: "Allow", Actions: []string{policy.ActionAssumeRole}}
	var aws []string
	accounts, _, stA := s.refList(d, "accounts", accountRule)
	for _, t := range accounts {
		aws = appendNew(aws, t.arn)
	}
	principals, _, stP := s.refList(d, "principals", trustPrincipalRule)
	for _, t := range principals {
		aws = appendNew(aws, t.arn)
	}
	services, stS := s.strList(d, "services")
	for _, svc := range services {
		if svc == "" || strings.ContainsAny(svc, " :/*") {
			s.errorf(d.attrs["services"].Expr.Range(), "Invalid service principal",
				"%q is not a service principal: give its host name, such as \"ec2.amazonaws.com\".", svc)
			ok = false
		}
	}
	if stA == failed || stP == failed || stS == failed {
		ok = false
	}
	for _, t := range principals {
		ok = s.checkRunes(d, "principals", t.arn) && ok
	}
	ok = s.checkRunes(d, "services", services...) && ok
	stmt.Principals = map[string][]string{}
	if len(aws) > 0 {
		stmt.Principals["AWS"] = aws
	}
	if len(services) > 0 {
		stmt.Principals["Service"] = services
	}
	if ok && len(stmt.Principals) == 0 {
		s.errorf(d.block.DefRange, "Trust without principals",
			"A trust block must name who may assume the role: accounts = [account.NAME], principals = [role.NAME or user.NAME, or ARNs], or services = [\"ec2.amazonaws.com\"].")
		ok = false
	}

	conds := map[string]map[string][]string{}
	if mfa, st := s.boolean(d, "require_mfa"); st == valid && mfa {
		addCondition(conds, "Bool", policy.KeyMFAPresent, "true")
	} else if st == failed {
		ok = false
	}
	if id, st := s.str(d, "external_id"); st == valid {
		if !validExternalID(id) {
			s.errorf(d.attrs["external_id"].Expr.Range(), "Invalid external id",
				"An ExternalId must be 2 to 1224 characters of letters, digits and + = , . @ : / _ -; %q is not.", id)
			ok = false
		}
		addCondition(conds, "StringEquals", policy.KeyExternalID, id)
	} else if st == failed {
		ok = false
	}
	more, okC := s.conditions(d)
	for test, keys := range more {
		for variable, values := range keys {
			addCondition(conds, test, variable, values...)
		}
	}
	if len(conds) > 0 {
		stmt.Conditions = conds
	}
	return stmt, ok && okC
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
