package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/policy"
)

// The organisation's guardrails: SCPs limit the caller, RCPs the resource.
// Both are read from model.State.Organization, which the engine fills when
// the stack declares an organization block.

// orgKeys are the condition keys the evaluator derives from the
// organisation once it is read ("AWS global condition context keys":
// aws:PrincipalOrgID and aws:PrincipalOrgPaths for a principal in an
// organisation, aws:ResourceOrgID and aws:ResourceOrgPaths for a resource
// in one). A request does not choose them.
var orgKeys = map[string]bool{
	"aws:principalorgid": true, "aws:principalorgpaths": true,
	"aws:resourceorgid": true, "aws:resourceorgpaths": true,
}

// orgKnown marks a request context whose principal organisation keys come
// from the organisation read: when they are absent, the caller's account
// is known to be outside it, and no caveat asks for them. The NUL byte
// keeps it apart from every condition key a policy can name.
const orgKnown = "\x00organization-read"

// fixedKeyFor reports, for a request of a caller of one account for a
// resource of another, whether a condition key describes the caller or the
// resource rather than the request: those the state fixes (principalKey),
// and the organisation's keys of an account the organisation read holds.
// An account outside it may be in another organisation, whose keys the
// read cannot see: a request can carry them, so they are not fixed.
func (e *Evaluator) fixedKeyFor(callerAccount, resourceAccount string) func(key string) bool {
	org := e.state.Organization
	return func(key string) bool {
		if principalKey(key) {
			return true
		}
		if org == nil {
			return false
		}
		switch strings.ToLower(key) {
		case "aws:principalorgid", "aws:principalorgpaths":
			_, in := org.Paths[callerAccount]
			return in
		case "aws:resourceorgid", "aws:resourceorgpaths":
			_, in := org.Paths[resourceAccount]
			return in && resourceAccount != ""
		}
		return false
	}
}

// orgPath is aws:PrincipalOrgPaths' (and aws:ResourceOrgPaths') value for
// an account: the organisation's ID, the root and each OU down to the
// account's parent, each followed by a slash (o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/).
func orgPath(org *model.Organization, levels []*model.OrgLevel) string {
	var b strings.Builder
	b.WriteString(org.ID + "/")
	for _, l := range levels {
		if l == nil || l.Kind == model.OrgAccount {
			continue
		}
		b.WriteString(l.ID + "/")
	}
	return b.String()
}

// setOrgContext puts the organisation's keys in a request context: those
// of the caller's account and of the resource's, when each is in the
// organisation. They replace what the request gave: the organisation read
// is the truth about where an account sits. An account outside it keeps
// what the request gives: it may be in another organisation.
func (e *Evaluator) setOrgContext(ctx reqCtx, callerAccount, resourceAccount string) {
	org := e.state.Organization
	if org == nil {
		return
	}
	if path, ok := org.Paths[callerAccount]; ok {
		ctx[orgKnown] = []string{org.ID}
		ctx["aws:principalorgid"] = []string{org.ID}
		ctx["aws:principalorgpaths"] = []string{orgPath(org, path)}
	} else {
		// An account outside the organisation read may be in another one,
		// whose keys the read cannot see: what the request gives stands,
		// and a policy testing a key it does not give says so (see
		// alwaysPresent), instead of the key being known absent. It cannot
		// be this organisation, though: the read says so.
		delete(ctx, orgKnown)
		dropOrg(ctx, org.ID, "aws:principalorgid", "aws:principalorgpaths")
	}
	e.setResourceOrgContext(ctx, resourceAccount)
}

// setResourceOrgContext sets the resource's organisation keys alone: for
// an outsider, whose own account the organisation read may not cover.
func (e *Evaluator) setResourceOrgContext(ctx reqCtx, resourceAccount string) {
	org := e.state.Organization
	if org == nil {
		return
	}
	if path, ok := org.Paths[resourceAccount]; ok && resourceAccount != "" {
		ctx["aws:resourceorgid"] = []string{org.ID}
		ctx["aws:resourceorgpaths"] = []string{orgPath(org, path)}
		return
	}
	// A resource outside the organisation read (or whose account is not
	// known) may be in another: what the request gives stands, unless it
	// says this organisation.
	dropOrg(ctx, org.ID, "aws:resourceorgid", "aws:resourceorgpaths")
}

// dropOrg removes from a context an organisation ID key and a paths key
// that name the organisation orgID: given for an account the read says is
// not in it, they cannot be true.
func dropOrg(ctx reqCtx, orgID, idKey, pathsKey string) {
	if slices.ContainsFunc(ctx[idKey], func(id string) bool { return strings.EqualFold(id, orgID) }) {
		delete(ctx, idKey)
	}
	if slices.ContainsFunc(ctx[pathsKey], func(p string) bool { return strings.HasPrefix(strings.ToLower(p), strings.ToLower(orgID)+"/") }) {
		delete(ctx, pathsKey)
	}
}

// serviceLinked reports whether the caller is a service-linked role (or a
// session of one): IAM puts every service-linked role under the path
// /aws-service-role/.
func (c *caller) serviceLinked() bool {
	return c.role != nil && strings.HasPrefix(c.role.Path, "/aws-service-role/")
}

// levelPolicies are the SCPs or RCPs of one level of an account's path,
// parsed, with the words that name the level.
type levelPolicies struct {
	label string
	srcs  []source
}

// scpLevels are the levels of the caller's account, root first, each with
// the SCPs attached to it; nil when no SCP limits the caller. AWS
// Organizations, "SCP evaluation": a request is allowed only if every level
// from the root down to the account has an SCP that allows it, and a Deny
// in any SCP on the path denies. "Service control policies (SCPs)": SCPs
// limit the IAM users and roles of member accounts only; they do not
// affect the management account, nor service-linked roles.
func (e *Evaluator) scpLevels(c *caller, n *notes) []levelPolicies {
	org := e.state.Organization
	if org == nil || !org.SCPs || c.account == org.ManagementAccount || c.serviceLinked() {
		return nil
	}
	path, ok := org.Paths[c.account]
	if !ok {
		// ListParents answers only for the organisation read: an account
		// outside it may be in another organisation, which the read
		// cannot see (AWS Organizations does not say whether or where).
		n.add("account %s is not in organization %s, so no SCP of it limits %s; if the account is in another organization, that organization's SCPs were not read", c.account, org.ID, c.label())
		return nil
	}
	if damagedPath(path) {
		n.add("the organisation read gives account %s no complete path from the root: its SCPs were read as allowing nothing", c.account)
		return []levelPolicies{{label: "SCPs of account " + c.account + " (path not read)"}}
	}
	return e.levels(path, "SCP", func(l *model.OrgLevel) []model.OrgPolicy { return l.SCPs }, n)
}

// damagedPath reports whether an account's path cannot be the one AWS
// Organizations gives (at least the root and the account, no gap): a
// damaged saved plan or seed. Its guardrails then allow nothing, so that
// an answer is never an allow that a policy not read might forbid.
func damagedPath(path []*model.OrgLevel) bool {
	return len(path) < 2 || slices.Contains(path, nil)
}

// rcpLevels are the levels of the resource's account, root first, each
// with the RCPs attached to it; nil when no RCP limits the request. AWS
// Organizations, "Resource control policies (RCPs)" and "RCP evaluation":
// RCPs limit access to the resources of member accounts, whoever the
// caller is (the organisation's own principals and outsiders alike), for
// the services that support them; they do not affect the management
// account's resources, nor requests made by service-linked roles. Every
// level must allow (RCPFullAWSAccess, attached everywhere when RCPs are
// enabled, is their only Allow) and any Deny wins.
func (e *Evaluator) rcpLevels(callerServiceLinked bool, resourceAccount, action string, n *notes) []levelPolicies {
	org := e.state.Organization
	if org == nil || !org.RCPs || resourceAccount == org.ManagementAccount || callerServiceLinked {
		return nil
	}
	if resourceAccount == "" {
		if rcpService(action) {
			n.add("the resource's ARN does not name its account, so the RCPs of organization %s that may limit it were not evaluated", org.ID)
		}
		return nil
	}
	path, ok := org.Paths[resourceAccount]
	switch {
	case !ok && e.state.Accounts[resourceAccount] != nil:
		n.add("the resource's account %s is not in organization %s, so no RCP of it applies; if the account is in another organization, that organization's RCPs were not read", resourceAccount, org.ID)
		return nil
	case !ok:
		return nil
	case !rcpService(action):
		// The list is AWS's of 2026 (rcpServices): a service that has
		// joined since would be limited, and the answer would not show it.
		n.add("RCPs of organization %s were not evaluated for %s: its service is not among those RCPs apply to (as AWS listed them in 2026)", org.ID, action)
		return nil
	}
	if damagedPath(path) {
		n.add("the organisation read gives account %s no complete path from the root: its RCPs were read as allowing nothing", resourceAccount)
		return []levelPolicies{{label: "RCPs of account " + resourceAccount + " (path not read)"}}
	}
	return e.levels(path, "RCP", func(l *model.OrgLevel) []model.OrgPolicy { return l.RCPs }, n)
}

// levels parses the policies of each level of a path (SCPs or RCPs, by
// kind), one levelPolicies per level.
func (e *Evaluator) levels(path []*model.OrgLevel, kind string, of func(*model.OrgLevel) []model.OrgPolicy, n *notes) []levelPolicies {
	out := make([]levelPolicies, 0, len(path))
	for _, l := range path {
		lp := levelPolicies{label: fmt.Sprintf("%ss attached to %s", kind, l.Label())}
		for _, p := range of(l) {
			label := fmt.Sprintf("%s %q (%s) attached to %s", kind, p.Name, p.ID, l.Label())
			d, err := e.parse(p.Document)
			if err != nil {
				// Organizations validates every policy it stores; one that
				// does not parse here allows nothing, so the answer is
				// never an allow it might have forbidden.
				n.add("%s does not parse (%v): it was read as allowing nothing", label, err)
				continue
			}
			lp.srcs = append(lp.srcs, source{label: label, doc: rcpAsIdentity(d)})
		}
		out = append(out, lp)
	}
	return out
}

// scanLevels matches a request against each level's policies: the layers
// decide reads as scps or rcps.
func (e *Evaluator) scanLevels(levels []levelPolicies, req Request, ctx reqCtx, n *notes) []side {
	if len(levels) == 0 {
		return nil
	}
	out := make([]side, len(levels))
	for i, l := range levels {
		out[i] = side{scan: e.scanSources(l.srcs, req, ctx, n), label: l.label}
	}
	return out
}

// rcpAsIdentity drops the Principal element of an RCP's statements so that
// they are matched as an identity policy's are: "RCP syntax" requires
// Principal to be "*", so every statement applies to every caller and
// only its action, resource and conditions decide. SCPs have no Principal.
func rcpAsIdentity(d policy.Document) policy.Document {
	if !slices.ContainsFunc(d.Statements, func(s policy.Statement) bool { return s.Principals != nil || s.NotPrincipals != nil }) {
		return d
	}
	out := d
	out.Statements = slices.Clone(d.Statements)
	for i := range out.Statements {
		out.Statements[i].Principals, out.Statements[i].NotPrincipals = nil, nil
	}
	return out
}

// rcpServices are the services whose resources RCPs limit, by the prefix
// of their actions: AWS Organizations, "Resource control policies (RCPs)",
// "List of AWS services that support RCPs", as the page listed them in
// 2026 (it began in 2024 with S3, STS, KMS, SQS and Secrets Manager and
// keeps growing). For actions of other services an RCP has no effect. A
// service AWS adds later and this list lacks would be answered without its
// RCPs, so the list errs on the side of the page's latest form.
var rcpServices = []string{
	"aoss", "appconfig", "appstream", "autoscaling", "autoscaling-plans", "budgets", "clouddirectory", "cloudfront",
	"cloudsearch", "cloudtrail-data", "codeartifact", "codebuild", "codecommit", "codepipeline", "cognito-identity",
	"cognito-idp", "comprehend", "comprehendmedical", "compute-optimizer", "cost-optimization-hub", "dax", "dsql",
	"dynamodb", "ecr", "ecr-public", "events", "firehose", "fis", "fms", "gamelift", "health", "inspector-scan",
	"kendra", "kinesisvideo", "kms", "logs", "memorydb", "networkmonitor", "notifications", "opensearch",
	"pca-connector-ad", "personalize", "polly", "pricing", "resource-groups", "rolesanywhere", "s3", "secretsmanager",
	"servicediscovery", "signin", "sqs", "sts", "support", "swf", "textract", "timestream-influxdb", "transcribe",
	"transfer", "translate", "wafv2", "workspaces", "xray",
}

// rcpService reports whether RCPs apply to an action. "Resources and
// entities not restricted by RCPs" names kms:RetireGrant among what RCPs
// cannot restrict (with AWS managed KMS keys, which an ARN does not tell
// apart from customer managed ones: the evaluator applies RCPs to every
// key, the safe side).
func rcpService(action string) bool {
	svc, _, ok := strings.Cut(action, ":")
	return ok && slices.Contains(rcpServices, strings.ToLower(svc)) && !strings.EqualFold(action, "kms:RetireGrant")
}
