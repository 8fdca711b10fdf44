package lint

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/policy"
)

// Rule describes one check, for documentation and `lint -rules`.
type Rule struct {
	ID, Name string
	Severity model.Severity
	Summary  string
}

// Rules lists every check lint makes, in id order.
var Rules = []Rule{
	{"TF001", "trust-anyone", model.High, `A trust policy allows Principal "*" without a condition that restricts who (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount, sts:ExternalId, ...). A condition that matches every value restricts no one: "*" (or a wildcard in an account or organization, such as arn:aws:iam::*:*) under StringLike, ArnLike or ArnEquals, a policy variable such as ${aws:PrincipalAccount}, an ...IfExists, ForAllValues or Not operator. AWS IAM User Guide, "IAM JSON policy elements: Condition operators" (reference_policies_elements_condition_operators.html) and "AWS global condition context keys", section "Sensitive condition keys" (reference_policies_condition-keys.html).`},
	{"TF002", "allow-with-notprincipal", model.High, "An Allow statement uses NotPrincipal: it allows everyone not listed, in every account."},
	{"TF003", "third-party-without-external-id", model.Medium, "A trust policy trusts an account outside the stack's own accounts without requiring sts:ExternalId (the confused-deputy guard)."},
	{"TF004", "mfa-not-enforced", model.High, "An MFA condition that does not require MFA: aws:MultiFactorAuthPresent tested as false in an Allow, with ...IfExists in an Allow, or with Bool in a Deny (which requests made with long-term keys escape)."},
	{"TF005", "trust-wildcard-action", model.Medium, "A trust policy allows a wildcard action (\"*\", \"sts:*\", NotAction) rather than sts:AssumeRole."},
	{"TF006", "admin-on-cross-account-role", model.High, `A role other accounts can assume has AdministratorAccess, or "*" on "*".`},
	{"TF007", "assume-any-role", model.Medium, `A policy allows sts:AssumeRole on Resource "*": its principal may assume every role that trusts its account.`},
	{"TF008", "principal-unique-id", model.Medium, "A trust policy names a principal by unique id (AROA…, AIDA…): IAM shows one when the principal was deleted, so the trust names someone who no longer exists."},
	{"TF009", "cross-partition", model.Medium, "A policy allows sts:AssumeRole on a role in another partition, which can never succeed."},
	{"TF010", "deny-without-effect", model.Low, "A deny names a role whose trust policy does not let the principal's account in at all: the deny changes nothing."},
	{"TF011", "duplicate-sid", model.Low, "Two statements of one policy share a Sid."},
	{"TF012", "oidc-subject-unrestricted", model.High, `A trust policy lets a CI service's shared OIDC provider (GitHub Actions on github.com, GHE.com or GitHub Enterprise Server; GitLab.com; HCP Terraform; Buildkite) call sts:AssumeRoleWithWebIdentity without a condition on its sub claim that names the owner (organisation, group), or only with IfExists, ForAllValues or a Not operator: any repository on the service can assume the role. AWS IAM User Guide, "Create a role for OpenID Connect federation (console)" (id_roles_create_for-idp_oidc.html); GitHub Docs, "Configuring OpenID Connect in Amazon Web Services".`},
	{"TF013", "oidc-audience-unrestricted", model.Medium, `A trust policy lets a CI service's shared OIDC provider call sts:AssumeRoleWithWebIdentity without a condition on its aud claim (for GitHub Actions, sts.amazonaws.com): a token issued for another audience the provider accepts can assume the role. GitHub Docs, "Configuring OpenID Connect in Amazon Web Services"; AWS IAM User Guide, "Create a role for OpenID Connect federation (console)".`},
	{"TF014", "condition-key-unknown", model.Medium, `A condition key no request carries, so its test never matches: a key with characters that are not ASCII (a Cyrillic "а" in аws:PrincipalOrgID), or an aws: key that is not one of AWS's global condition keys (aws:PrincipalOrgId is, keys being case-insensitive; aws:PrincipalOrganization is not). An Allow that depends on it lets no one in; a Deny that depends on it denies nothing. AWS IAM User Guide, "AWS global condition context keys" (reference_policies_condition-keys.html).`},
}

func rule(id string) Rule {
	for _, r := range Rules {
		if r.ID == id {
			return r
		}
	}
	panic("lint: unknown rule " + id)
}

// Check runs every rule on a stack and returns the findings sorted by file
// position, then id.
func Check(cfg *model.Config) []model.Finding {
	c := &checker{cfg: cfg, managed: map[string]bool{}, partition: map[string]string{}}
	for _, a := range cfg.Accounts {
		c.partition[a.ID] = a.Partition
		if !a.External {
			c.managed[a.ID] = true
		}
	}
	for _, r := range cfg.Roles {
		c.role(r)
	}
	for _, p := range cfg.Policies {
		c.identityDoc(p.Address, p.Source, p.Account, "the policy", p.Document)
	}
	for _, g := range cfg.Groups {
		for name, doc := range g.InlinePolicies {
			c.identityDoc(g.Address, g.Source, g.Account, fmt.Sprintf("inline policy %q", name), doc)
		}
	}
	for _, u := range cfg.Users {
		for name, doc := range u.InlinePolicies {
			c.identityDoc(u.Address, u.Source, u.Account, fmt.Sprintf("inline policy %q", name), doc)
		}
	}
	for _, g := range cfg.Grants {
		if g.Effect == "Deny" {
			c.deny(g)
		}
	}
	slices.SortFunc(c.out, func(a, b model.Finding) int {
		return cmp.Or(cmp.Compare(a.Source.Filename, b.Source.Filename), cmp.Compare(a.Source.Line, b.Source.Line),
			cmp.Compare(a.Source.Column, b.Source.Column), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Message, b.Message))
	})
	return c.out
}

type checker struct {
	cfg       *model.Config
	managed   map[string]bool   // the stack's own (not external) accounts
	partition map[string]string // account id → partition
	out       []model.Finding
	// rolesByARN indexes the declared roles by ARN, built on first use:
	// a scan per deny made lint quadratic in a stack of thousands of roles.
	rolesByARN map[string]*model.RoleConfig
	// policiesByARN indexes the declared policies by ARN, built on first
	// use, for the same reason: each role's attachments were compared with
	// every policy of the stack.
	policiesByARN map[string][]*model.PolicyConfig
}

func (c *checker) add(id, address string, src model.Source, hint, format string, args ...any) {
	r := rule(id)
	c.out = append(c.out, model.Finding{ID: id, Rule: r.Name, Severity: r.Severity, Address: address, Source: src, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// restrictingKeys are condition keys that, tested positively, narrow a
// wildcard principal to someone in particular.
var restrictingKeys = []string{
	"aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:sourceaccount",
	"aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "sts:externalid", "aws:userid", "aws:sourcevpce", "aws:sourceip",
}

// trustAnyone reports TF001 for a statement allowing Principal "*" unless
// one of its conditions restricts who.
func (c *checker) trustAnyone(address string, src model.Source, what, stmt string, conds map[string]map[string][]string) {
	ok, why := restriction(conds)
	if ok {
		return
	}
	hint := `Name the accounts or principals that may assume the role, or add a condition such as aws:PrincipalOrgID = "o-…" or sts:ExternalId.`
	if len(why) == 0 {
		c.add("TF001", address, src, hint,
			`%s, %s: Principal "*" with no condition that restricts who: anyone with AWS credentials, in any account, can assume this role`, what, stmt)
		return
	}
	c.add("TF001", address, src, `Test the key with StringEquals (or ArnEquals) and exact values: the account ids, ARNs or organization id that may assume the role.`,
		`%s, %s: Principal "*" with no condition that restricts who (%s): anyone with AWS credentials, in any account, can assume this role`, what, stmt, strings.Join(why, "; "))
}

// conditionKeys reports TF014 for each condition key no request carries.
func (c *checker) conditionKeys(address string, src model.Source, what, stmt string, s policy.Statement) {
	for _, op := range sortedKeys(s.Conditions) {
		for _, key := range sortedKeys(s.Conditions[op]) {
			if msg := keyProblem(key); msg != "" {
				c.add("TF014", address, src, "Type the key again in plain ASCII, as AWS's list of global condition keys spells it.",
					"%s, %s: %s", what, stmt, msg)
			}
		}
	}
}

var uniqueID = regexp.MustCompile(`^A(ROA|IDA|GPA)[A-Z0-9]{12,}$`)

func (c *checker) role(r *model.RoleConfig) {
	doc, err := policy.Parse(r.TrustDocument)
	if err != nil {
		return // the schema reports unparsable documents
	}
	what := "the trust policy"
	c.duplicateSids(r.Address, r.Source, what, doc)
	crossAccount := false
	for i, ts := range policy.ReadTrust(doc) {
		s := ts.Statement
		stmt := statementLabel(i, s)
		c.mfa(r.Address, r.Source, what, stmt, s)
		c.conditionKeys(r.Address, r.Source, what, stmt, s)
		if s.Effect != "Allow" {
			continue
		}
		c.oidcTrust(r.Address, r.Source, what, stmt, s, doc)
		if s.NotPrincipals != nil {
			c.add("TF002", r.Address, r.Source, "List the principals in Principal instead; to exclude some, add a Deny statement for them.",
				"%s, %s: Allow with NotPrincipal allows every principal not listed, in every AWS account", what, stmt)
			crossAccount = true
		}
		if len(s.NotActions) > 0 || slices.ContainsFunc(s.Actions, func(a string) bool { return strings.ContainsAny(a, "*?") }) {
			c.add("TF005", r.Address, r.Source, `Allow only the actions the callers need: "sts:AssumeRole" (and "sts:TagSession" or "sts:SetSourceIdentity" if they pass tags or a source identity).`,
				"%s, %s: allows %s rather than sts:AssumeRole", what, stmt, actionText(s))
		}
		for _, tp := range ts.Trusted {
			p := tp.Principal
			switch {
			case p.Kind == model.PrincipalAnyone && (tp.Type == "AWS" || tp.Type == "*"):
				crossAccount = true
				c.trustAnyone(r.Address, r.Source, what, stmt, s.Conditions)
			case tp.Type != "AWS":
			case uniqueID.MatchString(tp.Value):
				c.add("TF008", r.Address, r.Source, "Name the principal by ARN; if it was deleted and re-created, save the trust policy again with its ARN.",
					"%s, %s: principal %s is a unique id, which IAM shows for a principal that was deleted", what, stmt, tp.Value)
			case p.Account != "" && p.Account != r.Account:
				crossAccount = true
				if !c.managed[p.Account] && !hasKey(s.Conditions, "sts:externalid") {
					c.add("TF003", r.Address, r.Source, "If a third party assumes this role on behalf of several customers, require the ExternalId it gave you: external_id = \"…\" in the trust block.",
						"%s, %s: trusts account %s, which is not one of the stack's own accounts, without requiring sts:ExternalId", what, stmt, p.Account)
				}
			}
		}
	}
	for name, inline := range r.InlinePolicies {
		c.identityDoc(r.Address, r.Source, r.Account, fmt.Sprintf("inline policy %q", name), inline)
	}
	if crossAccount {
		c.adminOnCrossAccount(r)
	}
}

// principalAccount returns the account of an AWS principal: an account id,
// a root, role or user ARN, or a session ARN.
func principalAccount(p string) (string, bool) {
	if policy.IsAccountID(p) {
		return p, true
	}
	if a, err := model.ParseARN(p); err == nil && policy.IsAccountID(a.Account) {
		return a.Account, true
	}
	return "", false
}

func hasKey(conds map[string]map[string][]string, key string) bool {
	for op, keys := range conds {
		if strings.Contains(strings.ToLower(op), "not") {
			continue
		}
		for k := range keys {
			if strings.EqualFold(k, key) {
				return true
			}
		}
	}
	return false
}

const adminARNSuffix = ":iam::aws:policy/AdministratorAccess"

func (c *checker) adminOnCrossAccount(r *model.RoleConfig) {
	hint := "Give a role other accounts assume only what its callers need: a policy of the stack's with the actions and resources they use, or a narrower AWS managed policy (PowerUserAccess, ReadOnlyAccess)."
	for _, arn := range r.ManagedPolicies {
		if strings.HasSuffix(arn, adminARNSuffix) {
			c.add("TF006", r.Address, r.Source, hint, "%s is assumed from other accounts and has %s attached", r.Address, arn)
		}
	}
	admin := func(doc string) bool {
		d, err := policy.Parse(doc)
		if err != nil {
			return false
		}
		for _, s := range d.Statements {
			if s.Effect == "Allow" && len(s.Conditions) == 0 && slices.Contains(s.Actions, "*") && slices.Contains(s.Resources, "*") {
				return true
			}
		}
		return false
	}
	if c.policiesByARN == nil {
		c.policiesByARN = map[string][]*model.PolicyConfig{}
		for _, p := range c.cfg.Policies {
			arn := model.PolicyARN(c.partition[p.Account], p.Account, p.Path, p.Name)
			c.policiesByARN[arn] = append(c.policiesByARN[arn], p)
		}
	}
	for _, arn := range r.ManagedPolicies {
		for _, p := range c.policiesByARN[arn] {
			if p.Account == r.Account && admin(p.Document) {
				c.add("TF006", r.Address, r.Source, hint, "%s is assumed from other accounts and has %s attached, which allows \"*\" on \"*\"", r.Address, p.Address)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.InlinePolicies)) {
		if admin(r.InlinePolicies[name]) {
			c.add("TF006", r.Address, r.Source, hint, "%s is assumed from other accounts and its inline policy %q allows \"*\" on \"*\"", r.Address, name)
		}
	}
}

// identityDoc checks a policy attached to or embedded in a principal.
func (c *checker) identityDoc(address string, src model.Source, account, what, text string) {
	doc, err := policy.Parse(text)
	if err != nil {
		return
	}
	c.duplicateSids(address, src, what, doc)
	for i, s := range doc.Statements {
		stmt := statementLabel(i, s)
		c.mfa(address, src, what, stmt, s)
		c.conditionKeys(address, src, what, stmt, s)
		if s.Effect != "Allow" || !allowsAssumeRole(s) {
			continue
		}
		if slices.Contains(s.Resources, "*") {
			c.add("TF007", address, src, "List the roles by ARN (a grant block does), or narrow the resource to a path such as arn:aws:iam::*:role/deploy/*.",
				`%s, %s: allows sts:AssumeRole on Resource "*": every role in any account that trusts this principal's account can be assumed`, what, stmt)
		}
		own := c.partition[account]
		if own == "" {
			own = "aws"
		}
		for _, res := range s.Resources {
			a, err := model.ParseARN(res)
			if err == nil && a.Service == "iam" && strings.HasPrefix(a.Resource, "role/") && a.Partition != own && !strings.ContainsAny(a.Partition, "*?") {
				c.add("TF009", address, src, "A principal can only assume roles of its own partition: create the role in partition "+own+", or the principal in "+a.Partition+".",
					"%s, %s: allows sts:AssumeRole on %s, in partition %s, from an account of partition %s", what, stmt, res, a.Partition, own)
			}
		}
	}
}

// allowsAssumeRole reports whether a statement's actions name sts:AssumeRole
// through the sts service (sts:AssumeRole, sts:Assume*, sts:*): "*" alone is
// administrator access, which other rules are about.
func allowsAssumeRole(s policy.Statement) bool {
	return slices.ContainsFunc(s.Actions, func(a string) bool {
		return strings.HasPrefix(strings.ToLower(a), "sts:") && policy.MatchAction(a, policy.ActionAssumeRole)
	})
}

// mfa finds aws:MultiFactorAuthPresent tests that do not require MFA.
func (c *checker) mfa(address string, src model.Source, what, stmt string, s policy.Statement) {
	for op, keys := range s.Conditions {
		for k, vals := range keys {
			if !strings.EqualFold(k, policy.KeyMFAPresent) {
				continue
			}
			lop := strings.ToLower(op)
			hasTrue, hasFalse := slices.Contains(lowered(vals), "true"), slices.Contains(lowered(vals), "false")
			switch {
			case s.Effect == "Allow" && (lop == "bool" || lop == "boolifexists") && hasFalse:
				c.add("TF004", address, src, `To require MFA, test Bool aws:MultiFactorAuthPresent = "true" (require_mfa = true in a trust block).`,
					"%s, %s: allows requests when %s aws:MultiFactorAuthPresent is \"false\", that is without MFA", what, stmt, op)
			case s.Effect == "Allow" && lop == "boolifexists" && hasTrue:
				c.add("TF004", address, src, `Use Bool, not BoolIfExists: require_mfa = true in a trust block writes Bool aws:MultiFactorAuthPresent = "true".`,
					"%s, %s: BoolIfExists aws:MultiFactorAuthPresent also allows requests that carry no MFA key at all (long-term access keys)", what, stmt)
			case s.Effect == "Allow" && lop == "null":
				c.add("TF004", address, src, `Test the value: Bool aws:MultiFactorAuthPresent = "true".`,
					"%s, %s: Null on aws:MultiFactorAuthPresent tests only whether the key is present, not whether MFA was used", what, stmt)
			case s.Effect == "Deny" && lop == "bool" && hasFalse:
				c.add("TF004", address, src, `Deny with BoolIfExists aws:MultiFactorAuthPresent = "false", which also matches requests without the key.`,
					"%s, %s: Deny with Bool aws:MultiFactorAuthPresent = \"false\" misses requests made with long-term access keys, which carry no MFA key", what, stmt)
			}
		}
	}
}

func lowered(vals []string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.ToLower(v)
	}
	return out
}

func (c *checker) duplicateSids(address string, src model.Source, what string, doc policy.Document) {
	seen := map[string]bool{}
	for _, s := range doc.Statements {
		if s.Sid == "" {
			continue
		}
		if seen[s.Sid] {
			c.add("TF011", address, src, "Give each statement its own Sid, or merge the two statements.",
				"%s: two statements have the Sid %q", what, s.Sid)
		}
		seen[s.Sid] = true
	}
}

// deny checks that each role a deny names can be reached by its principals
// at all: a deny on a role whose trust policy does not let the principal's
// account in protects nothing, and usually names the wrong role.
func (c *checker) deny(g *model.GrantConfig) {
	for _, roleARN := range g.Roles {
		role := c.declaredRole(roleARN)
		if role == nil {
			continue // a role outside the stack: its trust policy is unknown here
		}
		doc, err := policy.Parse(role.TrustDocument)
		if err != nil {
			continue
		}
		for _, to := range g.To {
			if !trustsAtAll(doc, to) {
				c.add("TF010", g.Address, g.Source, "Check that the deny names the intended role; if the role should never trust this account, the deny can go.",
					"the deny of %s on %s changes nothing: the role's trust policy does not let %s or its account (%s) in at all", to.ARN, roleARN, to.Name, to.Account)
			}
		}
	}
}

// declaredRole is the stack's role of an ARN (the first declared, if two
// share it), or nil.
func (c *checker) declaredRole(arn string) *model.RoleConfig {
	if c.rolesByARN == nil {
		c.rolesByARN = make(map[string]*model.RoleConfig, len(c.cfg.Roles))
		for _, r := range c.cfg.Roles {
			key := model.RoleARN(c.partition[r.Account], r.Account, r.Path, r.Name)
			if _, dup := c.rolesByARN[key]; !dup {
				c.rolesByARN[key] = r
			}
		}
	}
	return c.rolesByARN[arn]
}

// trustsAtAll reports whether some Allow statement of a trust policy could
// match the principal: its account, itself, or everyone.
func trustsAtAll(doc policy.Document, p model.PrincipalRef) bool {
	for _, s := range doc.Statements {
		if s.Effect != "Allow" {
			continue
		}
		if s.NotPrincipals != nil || s.Principals["*"] != nil {
			return true
		}
		for _, v := range s.Principals["AWS"] {
			if v == "*" || v == p.ARN {
				return true
			}
			if acct, ok := principalAccount(v); ok && acct == p.Account {
				return true
			}
		}
	}
	return false
}

func statementLabel(i int, s policy.Statement) string {
	if s.Sid != "" {
		return fmt.Sprintf("statement %q", s.Sid)
	}
	return fmt.Sprintf("statement %d", i+1)
}

func actionText(s policy.Statement) string {
	if len(s.NotActions) > 0 {
		return "NotAction " + strings.Join(s.NotActions, ", ")
	}
	return strings.Join(s.Actions, ", ")
}
