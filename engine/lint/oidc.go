package lint

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/policy"
)

// TF012 and TF013 are about trust in a CI service's OpenID Connect
// provider: a Federated principal naming an IAM OIDC provider
// (arn:…:oidc-provider/<url>) and sts:AssumeRoleWithWebIdentity. The
// services below sign tokens for every customer with the same issuer, so
// once a role trusts the provider, the token's sub (subject) claim is the
// only thing telling the account's own repositories from everybody else's.
// AWS's guidance ("Create a role for OpenID Connect federation (console)",
// section "Configuring a role for GitHub OIDC identity provider",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html)
// is to evaluate the <provider>:sub condition key in the trust policy of any
// role that trusts GitHub's provider; GitHub's ("Configuring OpenID Connect
// in Amazon Web Services",
// https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws,
// and "OpenID Connect", which defines the claims) is to define at least one
// condition so that untrusted repositories cannot get tokens for the role,
// and to use the audience sts.amazonaws.com with the official action.
//
// The providers recognised, by the URL IAM keys them by (the issuer without
// https://, which is also the prefix of their condition keys):
//
//   - token.actions.githubusercontent.com: GitHub Actions on github.com.
//   - token.actions.githubusercontent.com/<enterprise>: the same with an
//     enterprise's unique issuer; the enterprise is fixed, its organisations
//     and every member's own repositories are not.
//   - token.actions.<subdomain>.ghe.com: GitHub Enterprise Cloud with data
//     residency (GHE.com), one issuer per enterprise, same as above.
//   - <host>/_services/token: GitHub Enterprise Server; every organisation
//     and user of the server shares it.
//   - gitlab.com: GitLab.com (sub project_path:<group>/<project>:…).
//   - app.terraform.io, app.eu.terraform.io: HCP Terraform
//     (sub organization:<org>:project:…:workspace:…:run_phase:…).
//   - agent.buildkite.com: Buildkite (sub organization:<org>:pipeline:…).
//
// Not recognised, on purpose: CircleCI (oidc.circleci.com/org/<org-id>) and
// Bitbucket Pipelines (api.bitbucket.org/2.0/workspaces/<workspace>/
// pipelines-config/identity/oidc) issue tokens from a URL that names the
// customer's organisation or workspace, so IAM refuses another customer's
// token before any condition is read: a missing sub there opens the role to
// the organisation's own projects only, which is what "repo:my-org/*" means
// on GitHub, and is accepted here. Self-managed GitLab and Terraform
// Enterprise run on hosts of the customer's choosing, which lint cannot tell
// from any other OIDC provider.
type ciProvider struct {
	service string // "GitHub Actions"
	anyone  string // who a token can come from when sub is not restricted
	owners  []ownerClaim
	example string // a sub that names one owner, for the fix
	pattern string // a pattern that pins the owner and nothing else
	owner   string // what the owner is called: organisation, group
	aud     string // the audience the service's AWS guide uses
}

// ownerClaim is a way a sub can start that names the owner: the prefix,
// then the owner, then one of the terminators (or the end of the value).
type ownerClaim struct {
	prefix string
	terms  string
}

var (
	// GitHub's default sub is repo:<owner>/<repo>:<context>; a customised
	// template (the OIDC REST API's include_claim_keys) joins claim:value
	// pairs in the order chosen, and only these first claims name an owner.
	// An owner chooses its own template, so a value that does not start with
	// one of these can be produced by anybody's repository.
	githubOwners = []ownerClaim{{"repo:", "/"}, {"repository:", "/"}, {"repository_owner:", ":"},
		{"repository_owner_id:", ":"}, {"repository_id:", ":"}}
	githubExample = "repo:my-org/my-repo:ref:refs/heads/main"
)

// ciProviderOf returns the CI service of a Federated principal's IAM OIDC
// provider ARN, and the provider's URL (the prefix of its condition keys).
func ciProviderOf(federated string) (ciProvider, string, bool) {
	a, err := model.ParseARN(federated)
	url, isOIDC := strings.CutPrefix(a.Resource, "oidc-provider/")
	if err != nil || a.Service != "iam" || !isOIDC {
		return ciProvider{}, "", false
	}
	u := strings.ToLower(strings.TrimSuffix(url, "/"))
	host, path, _ := strings.Cut(u, "/")
	gh := ciProvider{service: "GitHub Actions", owners: githubOwners, example: githubExample, pattern: "repo:my-org/*", owner: "organisation", aud: "sts.amazonaws.com"}
	switch {
	case u == "token.actions.githubusercontent.com":
		gh.anyone = "a workflow in any repository on GitHub.com"
		return gh, url, true
	case host == "token.actions.githubusercontent.com":
		gh.anyone = fmt.Sprintf("a workflow in any repository of enterprise %s (any of its organisations, any member's own repository)", path)
		return gh, url, true
	case path == "" && strings.HasPrefix(host, "token.actions.") && strings.HasSuffix(host, ".ghe.com"):
		gh.anyone = fmt.Sprintf("a workflow in any repository of the GHE.com enterprise %s (any of its organisations, any member's own repository)",
			strings.TrimSuffix(strings.TrimPrefix(host, "token.actions."), ".ghe.com"))
		return gh, url, true
	case path == "_services/token":
		gh.service = "GitHub Enterprise Server Actions"
		gh.anyone = fmt.Sprintf("a workflow in any repository on the GitHub Enterprise Server %s (any organisation, any user)", host)
		return gh, url, true
	case u == "gitlab.com":
		return ciProvider{service: "GitLab CI/CD", anyone: "a job of any project on GitLab.com", owners: []ownerClaim{{"project_path:", "/"}},
			example: "project_path:my-group/my-project:ref_type:branch:ref:main", pattern: "project_path:my-group/*", owner: "group", aud: "https://gitlab.com"}, url, true
	case u == "app.terraform.io" || u == "app.eu.terraform.io":
		return ciProvider{service: "HCP Terraform", anyone: "a run of any workspace of any HCP Terraform organisation", owners: []ownerClaim{{"organization:", ":"}},
			example: "organization:my-org:project:my-project:workspace:my-workspace:run_phase:*", pattern: "organization:my-org:*", owner: "organisation", aud: "aws.workload.identity"}, url, true
	case u == "agent.buildkite.com":
		return ciProvider{service: "Buildkite", anyone: "a job of any pipeline of any Buildkite organisation", owners: []ownerClaim{{"organization:", ":"}},
			example: "organization:my-org:pipeline:my-pipeline:ref:refs/heads/main:commit:*:step:*", pattern: "organization:my-org:*", owner: "organisation", aud: "sts.amazonaws.com"}, url, true
	}
	return ciProvider{}, "", false
}

// pinsOwner reports whether every subject a condition value admits names
// one owner: the value starts with an owner claim whose owner is spelled out
// (no wildcard when like) and ends at a terminator or with the value.
// "repo:my-org/*" pins my-org; "repo:my-org*" does not (my-org-evil), nor
// does "repo:*/app:*", "*:*" or "*". Under StringEquals a * is a plain
// character, so "repo:*/x" admits only a repository of an owner named "*",
// of which there is none.
func (p ciProvider) pinsOwner(value string, like bool) bool {
	for _, o := range p.owners {
		if len(value) < len(o.prefix) || !strings.EqualFold(value[:len(o.prefix)], o.prefix) {
			continue
		}
		rest := value[len(o.prefix):]
		i := strings.IndexFunc(rest, func(r rune) bool {
			return strings.ContainsRune(o.terms, r) || like && (r == '*' || r == '?')
		})
		switch {
		case i == -1 && rest != "":
			return true // the owner runs to the end: one subject
		case i > 0 && strings.ContainsRune(o.terms, rune(rest[i])):
			return true
		}
	}
	return false
}

// condOp is a condition operator taken apart: StringLike,
// ForAnyValue:StringNotEqualsIfExists…
type condOp struct {
	name                     string // as written
	base                     string // lower case, without set prefix and IfExists
	forAll, forAny, ifExists bool
}

func parseOp(op string) condOp {
	o := condOp{name: op, base: strings.ToLower(op)}
	if rest, ok := strings.CutPrefix(o.base, "forallvalues:"); ok {
		o.base, o.forAll = rest, true
	} else if rest, ok := strings.CutPrefix(o.base, "foranyvalue:"); ok {
		o.base, o.forAny = rest, true
	}
	o.base, o.ifExists = strings.CutSuffix(o.base, "ifexists")
	return o
}

func (o condOp) positive() bool {
	return o.base == "stringequals" || o.base == "stringlike" || o.base == "stringequalsignorecase"
}

func (o condOp) negated() bool {
	return o.base == "stringnotequals" || o.base == "stringnotlike" || o.base == "stringnotequalsignorecase"
}

func (o condOp) like() bool { return o.base == "stringlike" || o.base == "stringnotlike" }

// claimTest is what a statement's conditions do with one claim.
type claimTest struct {
	restricted bool     // some test holds only for the values judged safe
	open       []string // tests that would restrict, but a value admits too much
	weak       []string // tests that do not restrict at all
}

// testClaim judges a statement's tests of one condition key. Tests are
// ANDed, so one that restricts is enough. A test restricts only when it
// fails for a claim that is absent or has any other value: StringEquals,
// StringEqualsIgnoreCase or StringLike, alone or with ForAnyValue (false
// when the key is absent), each of whose values (ORed) is safe. It does not
// with IfExists or ForAllValues, which hold when the key is absent from the
// request (AWS IAM User Guide, "Single-valued vs. multivalued context keys",
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html:
// ForAllValues also returns true when the key is missing, and set operators
// are not for single-valued keys such as sub and aud), nor with a Not
// operator (everything but the values listed) or Null (only presence).
func testClaim(conds map[string]map[string][]string, key string, safe func(value string, like bool) bool) claimTest {
	var t claimTest
	for _, op := range slices.Sorted(maps.Keys(conds)) {
		for k, vals := range conds[op] {
			if !strings.EqualFold(k, key) {
				continue
			}
			o := parseOp(op)
			switch {
			case !o.positive():
				t.weak = append(t.weak, op+" (it does not require any value)")
			case o.ifExists || o.forAll:
				t.weak = append(t.weak, op+" (it holds when the claim is absent)")
			default:
				bad := slices.IndexFunc(vals, func(v string) bool { return !safe(v, o.like()) })
				if bad < 0 && len(vals) > 0 {
					t.restricted = true
				} else if bad >= 0 {
					t.open = append(t.open, fmt.Sprintf("%s %q", op, vals[bad]))
				}
			}
		}
	}
	return t
}

// deniedOtherwise reports whether a Deny statement of the document refuses
// the web identity call from the provider whenever the claim is not one of
// the safe values: its principal covers the provider, its action covers
// sts:AssumeRoleWithWebIdentity, and its only condition is a Not test of the
// key (StringNotEquals, StringNotLike…, with IfExists or ForAllValues,
// which also deny when the claim is absent, but not ForAnyValue, which
// does not) all of whose values are safe.
func deniedOtherwise(doc policy.Document, federated, key string, safe func(string, bool) bool) bool {
	for _, s := range doc.Statements {
		if s.Effect != "Deny" || !allowsWebIdentity(s) || len(s.Conditions) != 1 {
			continue
		}
		if s.Principals["*"] == nil && !slices.Contains(s.Principals["AWS"], "*") && !slices.Contains(s.Principals["Federated"], federated) {
			continue
		}
		for op, keys := range s.Conditions {
			o := parseOp(op)
			if !o.negated() || o.forAny || len(keys) != 1 {
				continue
			}
			for k, vals := range keys {
				if strings.EqualFold(k, key) && len(vals) > 0 && !slices.ContainsFunc(vals, func(v string) bool { return !safe(v, o.like()) }) {
					return true
				}
			}
		}
	}
	return false
}

// allowsWebIdentity reports whether a statement's actions cover
// sts:AssumeRoleWithWebIdentity ("*", "sts:*", "sts:AssumeRoleWith*", or a
// NotAction that does not exclude it).
func allowsWebIdentity(s policy.Statement) bool {
	return s.CoversAction(policy.ActionAssumeRoleWithWebIdentity)
}

// anyAudience reports whether an aud value admits every audience: under
// StringLike, a value of wildcards only.
func anyAudience(value string, like bool) bool {
	return value == "" || like && strings.Trim(value, "*") == ""
}

// oidcTrust checks an Allow statement of a trust policy that trusts a CI
// service's OIDC provider (TF012, TF013).
func (c *checker) oidcTrust(address string, src model.Source, what, stmt string, s policy.Statement, doc policy.Document) {
	if !allowsWebIdentity(s) {
		return // a Federated principal under sts:AssumeRole alone cannot call AssumeRoleWithWebIdentity
	}
	seen := map[string]bool{}
	for _, fed := range s.Principals["Federated"] {
		p, url, ok := ciProviderOf(fed)
		if !ok || seen[strings.ToLower(url)] {
			continue
		}
		seen[strings.ToLower(url)] = true
		subKey, audKey := url+":sub", url+":aud"
		sub := testClaim(s.Conditions, subKey, p.pinsOwner)
		if !sub.restricted && !deniedOtherwise(doc, fed, subKey, p.pinsOwner) {
			var why string
			switch {
			case len(sub.open) > 0:
				why = fmt.Sprintf("%s %s, which leaves the %s open", subKey, strings.Join(sub.open, ", "), p.owner)
			case len(sub.weak) > 0:
				why = fmt.Sprintf("%s tested only with %s", subKey, strings.Join(sub.weak, ", "))
			default:
				why = "no condition on " + subKey
			}
			c.add("TF012", address, src,
				fmt.Sprintf(`Require the subject with StringEquals %s = %q, or StringLike with a pattern that spells out the %s, such as %q; not with IfExists, ForAllValues or a Not operator.`, subKey, p.example, p.owner, p.pattern),
				"%s, %s: trusts %s (%s) with %s: %s can assume this role", what, stmt, p.service, url, why, p.anyone)
		}
		safeAud := func(v string, like bool) bool { return !anyAudience(v, like) }
		aud := testClaim(s.Conditions, audKey, safeAud)
		if !aud.restricted && !deniedOtherwise(doc, fed, audKey, safeAud) {
			var why string
			switch {
			case len(aud.open) > 0:
				why = fmt.Sprintf("%s %s, which admits any audience", audKey, strings.Join(aud.open, ", "))
			case len(aud.weak) > 0:
				why = fmt.Sprintf("%s tested only with %s", audKey, strings.Join(aud.weak, ", "))
			default:
				why = "no condition on " + audKey
			}
			c.add("TF013", address, src,
				fmt.Sprintf("Require the audience your jobs ask for: StringEquals %s = %q (the audience %s documents for AWS).", audKey, p.aud, p.service),
				"%s, %s: trusts %s (%s) with %s: a token the provider issued for any other audience it accepts (any of its client IDs) can assume this role", what, stmt, p.service, url, why)
		}
	}
}
