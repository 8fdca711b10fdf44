package access

import (
	"fmt"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/policy"
)

// Principals outside the state. A trust policy can open a role to principals
// whose policies the state does not hold: another account, "*", a service,
// a federated identity provider. Those are what a reviewer most needs to see
// in a plan, so WhoCanAssume reports them too, evaluated on the trust side
// only — as IAM Access Analyzer reports external access: their own account's
// policies are unknown, so they count as "allowed if their own policies allow
// it".

// kinds of outside principal.
const (
	outsideAccount   = "account"   // an account root: any principal of the account its own policies allow
	outsideUser      = "user"      // a user ARN of an account outside the state
	outsideRole      = "role"      // a role ARN of an account outside the state (any session of it)
	outsideSession   = "session"   // a session ARN of a role of an account outside the state
	outsideAnyone    = "anyone"    // "*" or {"AWS": "*"}
	outsideService   = "service"   // a service principal, e.g. ec2.amazonaws.com
	outsideFederated = "federated" // an identity provider: SAML or OIDC provider ARN, or a web identity host
)

// outsider is one principal a trust policy names outside the state.
type outsider struct {
	kind string
	id   string // the principal as reported: a root, user, role or session ARN, "*", a service or a provider
	// who is the principal read from the Principal element that named it:
	// only that element tells a service from a web identity provider,
	// both named by host.
	who    model.Principal
	action string // the action it needs the trust policy to allow
	// known are the condition keys (lower case) whose values follow from
	// who the principal is; no context may choose others for them.
	known map[string][]string
}

// account is the account of an AWS principal outsider (a root, user, role
// or session); "" for "*", a service and a federated provider, which make
// their requests as no account's principal (an identity provider's ARN
// names the account that registered it, not its users').
func (o outsider) account() string {
	switch o.kind {
	case outsideAccount, outsideUser, outsideRole, outsideSession:
		return o.who.Account
	}
	return ""
}

// label names the outsider in reasons, in the words of plans.
func (o outsider) label() string {
	switch o.kind {
	case outsideAccount:
		return fmt.Sprintf("any principal of account %s that its own policies allow", o.account())
	case outsideUser, outsideRole, outsideSession:
		return o.who.Label()
	case outsideAnyone:
		return `anyone (Principal "*")`
	case outsideService:
		return "service " + o.id
	}
	return "users of federated provider " + o.id
}

// caveat says what was not evaluated for the outsider, and why.
func (o outsider) caveat() string {
	switch o.kind {
	case outsideAccount:
		return fmt.Sprintf("account %s is not one of the accounts read: any principal of it whose own policies allow %s was counted; only the trust policy was evaluated", o.account(), o.action)
	case outsideAnyone:
		return fmt.Sprintf(`the trust policy names every principal ("*"): any principal of any account whose own policies allow %s was counted, and only the trust policy was evaluated (the declared accounts' principals are listed one by one)`, o.action)
	case outsideService:
		return fmt.Sprintf("%s is a service principal: no identity-based policy governs it; only the trust policy was evaluated", o.id)
	case outsideFederated:
		return fmt.Sprintf("%s is a federated identity provider: its users have no identity-based policies, and what its tokens carry is its own; only the trust policy was evaluated, for %s", o.id, o.action)
	}
	return fmt.Sprintf("%s is in account %s, which is not one of the accounts read: its own policies are unknown and were taken to allow %s; only the trust policy was evaluated", o.id, o.account(), o.action)
}

// outsiders are the principals the trust policy's Allow statements name
// outside the state, each once, with the action its statement must allow:
// sts:AssumeRole for AWS and service principals, the matching federated
// action for Federated ones. A value whose statement does not allow that
// action is left out (a Federated provider under sts:AssumeRole allows
// nothing). NotPrincipal never adds one: "everyone except" cannot be
// enumerated, and IAM refuses NotPrincipal in trust policies anyway.
func (e *Evaluator) outsiders(trust policy.Document, partition string) []outsider {
	var out []outsider
	seen := map[string]bool{}
	add := func(o outsider, s policy.Statement) {
		if seen[o.id] {
			return
		}
		if ok, _ := actionCovered(s, o.action); ok {
			seen[o.id] = true
			out = append(out, o)
		}
	}
	anyone := outsider{kind: outsideAnyone, id: "*", who: model.Principal{Kind: model.PrincipalAnyone}, action: policy.ActionAssumeRole}
	for _, s := range trust.Statements {
		if s.Effect != "Allow" || s.Principals == nil {
			continue
		}
		if _, ok := s.Principals["*"]; ok {
			add(anyone, s)
		}
		for _, v := range s.Principals["AWS"] {
			if v == "*" {
				add(anyone, s)
			} else if o, ok := e.awsOutsider(v, partition); ok {
				add(o, s)
			}
		}
		for _, v := range s.Principals["Service"] {
			who, _ := policy.ReadPrincipal("Service", v)
			add(outsider{kind: outsideService, id: v, who: who, action: policy.AssumeAction(who), known: map[string][]string{
				"aws:principalisawsservice": {"true"}, "aws:principalservicename": {v},
			}}, s)
		}
		for _, v := range s.Principals["Federated"] {
			// A SAML provider's users call AssumeRoleWithSAML, every other
			// provider's AssumeRoleWithWebIdentity.
			who, _ := policy.ReadPrincipal("Federated", v)
			add(outsider{kind: outsideFederated, id: v, who: who, action: policy.AssumeAction(who)}, s)
		}
	}
	return out
}

// awsOutsider reads an AWS principal value naming something outside the
// state: an account (bare id or root ARN), a user, a role or a session of an
// account the state does not hold, in the role's partition (nothing assumes
// a role across partitions). Values naming a declared account are not
// outsiders: its users and roles are enumerated and fully evaluated, and a
// user or role it lacks is nobody. Wildcards in ARNs and unique ids (what
// IAM leaves of a deleted principal) name nobody that can assume the role.
func (e *Evaluator) awsOutsider(v, partition string) (outsider, bool) {
	who, ok := policy.ReadPrincipal("AWS", v)
	if ok && who.Kind == model.PrincipalRoot && who.Partition == "" {
		// An account id alone stands for the account's root, in the
		// role's partition.
		who.Partition = partition
		v = who.ARN()
	}
	if !ok || who.Partition != partition || e.state.Accounts[who.Account] != nil || strings.Contains(v, "*") {
		return outsider{}, false
	}
	o := outsider{id: v, who: who, action: policy.ActionAssumeRole, known: map[string][]string{
		"aws:principalaccount": {who.Account}, "aws:principalisawsservice": {"false"},
	}}
	switch who.Kind {
	case model.PrincipalRoot:
		o.kind = outsideAccount
	case model.PrincipalUser:
		o.kind = outsideUser
		o.known["aws:principalarn"] = []string{v}
		o.known["aws:principaltype"] = []string{"User"}
		o.known["aws:username"] = []string{who.Name}
	case model.PrincipalRole:
		o.kind = outsideRole
		o.known["aws:principalarn"] = []string{v}
		o.known["aws:principaltype"] = []string{"AssumedRole"}
	case model.PrincipalAssumedRole:
		o.kind = outsideSession
		// A session's aws:PrincipalArn is its role's ARN, whose path the
		// session ARN does not carry: the root path is assumed.
		o.known["aws:principalarn"] = []string{who.Role().ARN()}
		o.known["aws:principaltype"] = []string{"AssumedRole"}
	default:
		// A federated user (arn:aws:sts::A:federated-user/N) is never
		// enumerated as one that can assume a role.
		return outsider{}, false
	}
	return o, true
}

// rootARN is the outsider's account root, for ARN kinds.
func (o outsider) rootARN() string { return model.RootARN(o.who.Partition, o.account()) }

// namedBy reports whether a Principal element names the outsider, and the
// value that does. "*" names everyone. An account (id or root ARN) names
// the account's principals, so also its users, roles and sessions; a user
// or role ARN names only itself (and a role its sessions), never "any
// principal of the account": the account root stands for those the named
// ones do not cover.
func (o outsider) namedBy(p map[string][]string) (string, bool) {
	if _, ok := p["*"]; ok {
		return "*", true
	}
	for _, v := range p["AWS"] {
		if v == "*" {
			return v, true
		}
	}
	switch o.kind {
	case outsideService:
		for _, v := range p["Service"] {
			if strings.EqualFold(v, o.id) {
				return v, true
			}
		}
		return "", false
	case outsideFederated:
		for _, v := range p["Federated"] {
			if v == o.id {
				return v, true
			}
		}
		return "", false
	case outsideAnyone:
		return "", false
	}
	for _, v := range p["AWS"] {
		switch {
		case v == o.account() || v == o.rootARN():
			return v, true
		case v == o.id:
			return v, true
		case o.kind == outsideSession:
			// A role ARN names its sessions; the session ARN lacks the
			// role's path, so a role of that name on any path is taken.
			if r, err := model.ParsePrincipal(v); err == nil && r.Kind == model.PrincipalRole &&
				r.Partition == o.who.Partition && r.Account == o.who.Account && r.Name == o.who.Name {
				return v, true
			}
		}
	}
	return "", false
}

// exemptedBy reports whether a Deny's NotPrincipal spares the outsider. As
// for callers in the state, it is spared only when every identity AWS may
// check for it is named: the account root, then the role, then the session.
// "Anyone" is spared only by a NotPrincipal that names everyone.
func (o outsider) exemptedBy(np map[string][]string) bool {
	if _, ok := np["*"]; ok {
		return true
	}
	named := func(id string) bool {
		for _, v := range np["AWS"] {
			if v == "*" || v == id || (policy.IsAccountID(v) && o.account() != "" && id == model.RootARN(o.who.Partition, v)) {
				return true
			}
		}
		for _, k := range []string{"Service", "Federated"} {
			for _, v := range np[k] {
				if strings.EqualFold(v, id) {
					return true
				}
			}
		}
		return false
	}
	var chain []string
	switch o.kind {
	case outsideAnyone:
		return named("*")
	case outsideService, outsideFederated:
		chain = []string{o.id}
	case outsideAccount:
		chain = []string{o.rootARN()}
	case outsideSession:
		chain = []string{o.rootARN(), o.who.Role().ARN(), o.id}
	default:
		chain = []string{o.rootARN(), o.id}
	}
	for _, id := range chain {
		if !named(id) {
			return false
		}
	}
	return true
}

// outsideContexts are the contexts to try for an outsider, fewest keys
// first: what the trust policy's allows ask for and its conditional denies
// need to stay off. Unlike for a principal of the state, keys that describe
// the principal (aws:PrincipalArn, aws:PrincipalTag/..., aws:PrincipalOrgID)
// may be chosen when who it is does not fix them: "anyone in account
// 222222222222" includes the principals tagged as a condition asks, and the
// condition is then said in words. Keys its kind never presents (see
// absentFor) are never chosen. Policy variables resolve to what who it is
// fixes, and aws:ResourceAccount to the role's account.
func (e *Evaluator) outsideContexts(o outsider, trust policy.Document, resourceAccount string) []map[string][]string {
	out, _ := e.outsideSearch(o, trust, resourceAccount)
	return out
}

// outsideSearch is outsideContexts, and whether the contexts were cut at
// the bound (see maxContexts). Only the trust statements that can apply to
// the outsider are searched, as evaluateOutside reads them: those whose
// Principal names it, and the Denies whose NotPrincipal does not spare it.
func (e *Evaluator) outsideSearch(o outsider, trust policy.Document, resourceAccount string) ([]map[string][]string, searchGap) {
	var n notes
	var rcps [][]policy.Document
	for _, l := range e.rcpLevels(false, resourceAccount, o.action, &n) {
		rcps = append(rcps, docsOf(l.srcs))
	}
	ctx := o.baseContext(resourceAccount)
	e.setResourceOrgContext(ctx, resourceAccount)
	return combineContexts(o.action, trust, o.trustNames, rcps, o.fixedKey, ctx.resolver())
}

// trustNames reports whether a trust statement can apply to the outsider,
// as evaluateOutside reads it.
func (o outsider) trustNames(s policy.Statement) bool {
	switch {
	case s.Principals != nil:
		_, ok := o.namedBy(s.Principals)
		return ok
	case s.NotPrincipals != nil && s.Effect == "Deny":
		return !o.exemptedBy(s.NotPrincipals)
	}
	return false
}

// fixedKey reports whether a condition key may not be chosen for the
// outsider: who it is fixes its value, or its kind never presents it.
func (o outsider) fixedKey(key string) bool {
	k := strings.ToLower(key)
	_, ok := o.known[k]
	return ok || k == "aws:resourceaccount" || o.absent(k)
}

// baseContext is the context every request of the outsider carries: what
// who it is fixes, and the role's account.
func (o outsider) baseContext(resourceAccount string) reqCtx {
	ctx := reqCtx{"aws:resourceaccount": {resourceAccount}}
	for k, v := range o.known {
		ctx[k] = v
	}
	return ctx
}

// absent reports whether a request of the outsider's kind can never carry
// the condition key (lower case): a statement that needs it cannot let the
// outsider in. "AWS global condition context keys" (IAM User Guide) says,
// per key, when it is in the request context:
//
//   - aws:PrincipalArn holds the ARN of an IAM user, an IAM role, an AWS STS
//     federated user or an account root user, the types the page lists; a
//     service principal or an identity provider's user (whose
//     sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML request is not
//     signed with AWS credentials) is none of them;
//   - aws:PrincipalAccount and aws:PrincipalOrgID, aws:PrincipalOrgPaths
//     describe the account, and the organization of the account, the
//     requesting principal belongs to: a service principal belongs to no
//     customer account. The page gives no value of these keys for a
//     service principal or a federated caller; it is silent rather than
//     explicit about them, and they are taken as absent;
//   - aws:PrincipalTag/<key> is there for an IAM user or role with tags (or
//     session tags): not a service, nor a federated caller before it has a
//     session;
//   - aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge are there when
//     the request is made with temporary credentials (and authenticated
//     with MFA): a service principal makes its AssumeRole calls with none
//     of a customer's credentials, and an identity provider's user with no
//     AWS credentials at all. The page is silent about both cases;
//   - aws:username is there for IAM users only;
//   - aws:userid holds the unique id of an IAM user or role session (the
//     "IAM policy elements: Variables and tags" page, "Request information
//     that you can use for policy variables", gives its value per principal
//     type: IAM users, roles, federated users, account roots, anonymous
//     callers; no value is given for service principals, about which the
//     page is silent);
//   - aws:PrincipalType takes the values Account, User, FederatedUser,
//     AssumedRole and Anonymous; none is a service principal's.
//
// For every other kind (accounts, "*", users, roles and sessions of other
// accounts) nothing is absent: what who it is fixes is in o.known, and the
// rest may be chosen, since some principal of the kind may carry it.
func (o outsider) absent(key string) bool {
	if o.kind != outsideService && o.kind != outsideFederated {
		return false
	}
	switch key {
	case "aws:principalarn", "aws:principalaccount", "aws:principalorgid", "aws:principalorgpaths",
		"aws:multifactorauthpresent", "aws:multifactorauthage", "aws:username", "aws:userid", "aws:principaltype":
		return true
	}
	return strings.HasPrefix(key, "aws:principaltag/")
}

// consistentContext rejects a chosen context that contradicts who the
// outsider is (an aws:PrincipalArn of another account than its own), or
// that would make "anyone" a principal of a declared account: those are
// enumerated and evaluated with their own policies.
func (e *Evaluator) consistentContext(o outsider, ctx map[string][]string) bool {
	acct := o.account()
	if v, ok := lookupFold(ctx, "aws:PrincipalAccount"); ok && len(v) == 1 {
		if acct != "" && v[0] != acct {
			return false
		}
		acct = v[0]
	}
	if v, ok := lookupFold(ctx, "aws:PrincipalArn"); ok && len(v) == 1 {
		if a, err := model.ParseARN(v[0]); err == nil && a.Account != "" {
			if acct != "" && a.Account != acct {
				return false
			}
			acct = a.Account
		}
	}
	return o.kind != outsideAnyone || acct == "" || e.state.Accounts[acct] == nil
}

// evaluateOutside evaluates the role's trust policy for an outsider under
// the given context: an explicit Deny that names it (or whose NotPrincipal
// does not spare it) and whose conditions hold wins; otherwise an Allow
// that names it is needed. The identity side is not evaluated: it is
// unknown, and said so in the caveats.
func (e *Evaluator) evaluateOutside(o outsider, role *model.Role, acct *model.Account, doc policy.Document, given map[string][]string) Result {
	var n notes
	for _, c := range e.notRead {
		n.add("%s", c)
	}
	n.add("%s", o.caveat())
	resource := model.RoleARN(partitionOf(acct), acct.ID, role.Path, role.Name)
	ctx := o.baseContext(acct.ID)
	for k, v := range given {
		// A key its kind never presents cannot be given for it either.
		if lk := strings.ToLower(k); ctx[lk] == nil && !o.absent(lk) {
			ctx[lk] = v
		}
	}
	e.setResourceOrgContext(ctx, acct.ID)
	label := fmt.Sprintf("trust policy of role %q in %s", role.Name, acct.ID)
	var vars policy.Vars
	if doc.Version == policy.Version {
		vars = ctx.resolver()
	}
	var tr scan
	for i, s := range doc.Statements {
		stmt := statementName(i, s)
		if ok, _ := actionCovered(s, o.action); !ok {
			continue
		}
		var who string
		switch {
		case s.Principals != nil:
			by, ok := o.namedBy(s.Principals)
			if !ok {
				continue
			}
			who = "it names " + by
			if by == "*" {
				who = `it names every principal, "*"`
			}
		case s.NotPrincipals != nil && s.Effect == "Deny":
			if o.exemptedBy(s.NotPrincipals) {
				continue
			}
			who = "NotPrincipal does not exempt " + o.label()
		default:
			// An Allow with NotPrincipal is never read as opening the role
			// to outsiders (see outsiders).
			continue
		}
		if ok, _ := resourceCovered(s, resource, vars, label, stmt, &n); !ok {
			continue
		}
		cr := conditions(s, doc, ctx, label, stmt, &n)
		switch {
		case cr.ok && s.Effect == "Deny":
			tr.denies = append(tr.denies, Reason{"Deny", label, stmt,
				fmt.Sprintf("denies %s to %s%s; an explicit deny overrides every allow", o.action, o.label(), joinHow(who, condNote(s)))})
		case cr.ok:
			tr.allows = append(tr.allows, Reason{"Allow", label, stmt,
				fmt.Sprintf("allows %s for %s%s", o.action, o.label(), joinHow(who, condNote(s)))})
			tr.allowBlocks = append(tr.allowBlocks, condBlock{s.Conditions, doc.Version == policy.Version})
		case s.Effect == "Deny":
			tr.avoided = append(tr.avoided, condBlock{s.Conditions, doc.Version == policy.Version})
		default:
			tr.near = append(tr.near, Reason{"Missing", label, stmt,
				fmt.Sprintf("would allow %s for %s (%s), but its condition does not hold: %s", o.action, o.label(), who, cr.failed)})
		}
	}
	// The outsider's own policies are unknown: no identity layer, so the
	// trust policy decides alone (the caveats say so), under the RCPs of
	// the role's account, which limit outsiders too.
	req := Request{Principal: o.label(), Action: o.action, Resource: resource}
	rcps := e.scanLevels(e.rcpLevels(false, acct.ID, o.action, &n), req, ctx, &n)
	res := decide(question{action: o.action, resource: resource, who: o.label(), account: o.account(), ctx: ctx, fixed: o.fixedKey},
		layers{resource: &resourceSide{side: side{scan: tr, label: label}, account: acct.ID, trust: true}, rcps: rcps})
	res.Caveats = n.list
	return res
}
