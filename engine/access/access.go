package access

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/policy"
)

// Request is one question: may Principal perform Action on Resource, given
// the condition keys in Context?
type Request struct {
	// Principal is an ARN: arn:aws:iam::A:user/path/Name,
	// arn:aws:iam::A:role/path/Name (any session of the role), or a session
	// arn:aws:sts::A:assumed-role/Role/session.
	Principal string `json:"principal"`
	// Action is e.g. "sts:AssumeRole" or "s3:GetObject".
	Action string `json:"action"`
	// Resource is an ARN.
	Resource string `json:"resource"`
	// Context holds condition keys the caller gives (aws:MultiFactorAuthPresent,
	// sts:ExternalId, aws:SourceIp, ...); keys compare without case. The
	// evaluator adds aws:PrincipalArn, aws:PrincipalAccount,
	// aws:PrincipalType, aws:username, aws:PrincipalTag/*,
	// aws:PrincipalIsAWSService and aws:ResourceAccount where it can derive
	// them, unless they are given here.
	Context map[string][]string `json:"context,omitempty"`
}

// Decisions.
const (
	DecisionAllow        = "allow"
	DecisionExplicitDeny = "explicit deny"
	DecisionImplicitDeny = "implicit deny"
)

// Result is the answer and the chain of reasons a person reads.
type Result struct {
	Allowed  bool     `json:"allowed"`
	Decision string   `json:"decision"` // DecisionAllow, DecisionExplicitDeny or DecisionImplicitDeny
	Reasons  []Reason `json:"reasons"`
	// Caveats are what was not evaluated and could change the answer: first
	// the inputs the evaluator did not read (SCPs and RCPs, permissions
	// boundaries, session policies, resource-based policies other than
	// trust policies; see Inputs), then what this request met.
	Caveats []string `json:"caveats"`

	// basis is what an allowed request rested on, for Assumer.Conditions.
	basis *basis
}

// Reason is one link of the chain: which statement of which policy allowed
// or denied, or which allow is missing.
type Reason struct {
	Effect    string `json:"effect"`    // "Allow", "Deny" or "Missing"
	Policy    string `json:"policy"`    // e.g. trust policy of role "UpdateApp" in 999999999999
	Statement string `json:"statement"` // the Sid, or "statement 2"
	Detail    string `json:"detail"`    // one sentence
}

// String renders the reason on one line.
func (r Reason) String() string {
	s := r.Effect + ": " + r.Policy
	if r.Statement != "" {
		s += ", " + r.Statement
	}
	if r.Detail != "" {
		s += ": " + r.Detail
	}
	return s
}

// Evaluator answers access questions about one state. It is safe for
// concurrent use; the state must not change while it is in use.
type Evaluator struct {
	state           *model.State
	policies        PolicyResolver
	sessionPolicies map[string][]string // Inputs.SessionPolicies
	notRead         []string            // the caveats of the inputs not read, in every result

	mu     sync.Mutex
	parsed map[string]parsedDoc // policy text → parsed document
	// mayAssume remembers, per caller ARN, mayAllowAssumeRole's answer.
	mayAssume map[string]bool
}

type parsedDoc struct {
	doc policy.Document
	err error
}

// New returns an evaluator of the inputs: the state, the resolver of AWS
// managed policies (nil knows none, and those attached are named in the
// caveats), and the optional inputs, each of which it does not read is
// named in the caveats of every answer.
func New(in Inputs) *Evaluator {
	state := in.State
	if state == nil {
		state = model.NewState()
	}
	return &Evaluator{state: state, policies: in.Policies, sessionPolicies: in.SessionPolicies, notRead: notRead(in, slots), parsed: map[string]parsedDoc{}, mayAssume: map[string]bool{}}
}

func (e *Evaluator) parse(text string) (policy.Document, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if p, ok := e.parsed[text]; ok {
		return p.doc, p.err
	}
	d, err := policy.Parse(text)
	e.parsed[text] = parsedDoc{d, err}
	return d, err
}

// notes collects caveats without duplicates, in the order found.
type notes struct {
	list []string
	seen map[string]bool
}

func (n *notes) add(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if !n.seen[s] {
		n.seen[s] = true
		n.list = append(n.list, s)
	}
}

// trustActions are the STS actions a role's trust policy governs when its
// role is the resource.
var trustActions = []string{"sts:assumerole", "sts:tagsession", "sts:setsourceidentity", "sts:setcontext"}

// CanAssume is Evaluate for sts:AssumeRole on the role's ARN.
func (e *Evaluator) CanAssume(principalARN, roleARN string, context map[string][]string) Result {
	return e.Evaluate(Request{Principal: principalARN, Action: "sts:AssumeRole", Resource: roleARN, Context: context})
}

// Evaluate answers one request with the identity-based policies of the
// caller and, for sts:AssumeRole (and the STS actions that go with it) on a
// role, the role's trust policy, combined by decide.
func (e *Evaluator) Evaluate(req Request) Result {
	var n notes
	for _, c := range e.notRead {
		n.add("%s", c)
	}
	res := e.evaluate(req, &n)
	res.Caveats = n.list
	return res
}

func (e *Evaluator) evaluate(req Request, n *notes) Result {
	c, why := e.findCaller(req.Principal)
	if c == nil {
		return Result{Decision: DecisionImplicitDeny, Reasons: []Reason{{
			Effect: "Missing", Policy: "principal " + req.Principal,
			Detail: why + "; nothing can allow a principal the state does not hold",
		}}}
	}
	if strings.EqualFold(req.Action, getCallerIdentity) {
		// STS API Reference, GetCallerIdentity: "No permissions are
		// required to perform this operation", and a policy that
		// explicitly denies sts:GetCallerIdentity does not stop it. No
		// layer is consulted, guardrails included (the page names no
		// exception).
		return Result{Allowed: true, Decision: DecisionAllow, Reasons: []Reason{{
			Effect: "Allow", Policy: "STS", Detail: "sts:GetCallerIdentity needs no permission: AWS answers it for every caller, even one whose policies deny it",
		}}}
	}
	if c.kind == kindRole {
		n.add("%s is a role, evaluated as a session of it whose name is unknown: trust statements naming particular sessions were not matched", c.arn)
	}
	var role *model.Role
	var roleAcct *model.Account
	if isTrustAction(req.Action) {
		// Anything in the form of a role's ARN goes through its trust
		// policy, a malformed one included (findRole then denies): left
		// to the identity policies alone, "sts:AssumeRole on *" would
		// allow an ARN no role has.
		if a, err := model.ParseARN(req.Resource); err == nil && a.Service == "iam" && strings.HasPrefix(a.Resource, "role/") {
			r, a, why := e.findRole(req.Resource)
			if r == nil {
				return Result{Decision: DecisionImplicitDeny, Reasons: []Reason{{
					Effect: "Missing", Policy: "trust policy of " + req.Resource,
					Detail: why + ", so no trust policy can allow " + req.Action,
				}}}
			}
			if partitionOf(a) != c.partition {
				// AWS documents that roles cannot be assumed across partitions.
				return Result{Decision: DecisionImplicitDeny, Reasons: []Reason{{
					Effect: "Missing", Policy: fmt.Sprintf("trust policy of role %q in %s", r.Name, a.ID),
					Detail: fmt.Sprintf("%s is in partition %s and the role in %s: no policy can allow access across partitions", c.label(), c.partition, partitionOf(a)),
				}}}
			}
			role, roleAcct = r, a
			// The request names the role as IAM knows it.
			req.Resource = model.RoleARN(partitionOf(a), a.ID, r.Path, r.Name)
		}
	}
	ctx := e.buildContext(c, req)
	l := layers{identity: &side{scan: e.scanIdentity(c, req, ctx, n), label: "identity-based policies of " + c.identityLabel()},
		boundary: e.boundaryLayer(c, req, ctx, n),
		session:  e.sessionLayer(c, req, ctx, n),
		scps:     e.scanLevels(e.scpLevels(c, n), req, ctx, n),
		rcps:     e.scanLevels(e.rcpLevels(c.serviceLinked(), resourceOwner(req, ctx), req.Action, n), req, ctx, n)}
	if role != nil {
		l.resource = &resourceSide{
			side:    side{scan: e.scanTrust(c, role, roleAcct, req, ctx, n), label: fmt.Sprintf("trust policy of role %q in %s", role.Name, roleAcct.ID)},
			account: roleAcct.ID, trust: true,
		}
	} else {
		l.resource = e.resourcePolicy(c, req, ctx, n)
	}
	return decide(question{action: req.Action, resource: req.Resource, who: c.label(), account: c.account, ctx: ctx, fixed: e.fixedKeyFor(c.account, resourceOwner(req, ctx))}, l)
}

// resourcePolicy is the layer of the resource's own policy for a request no
// trust policy governs. No resource-based policy is read yet
// (Inputs.ResourcePolicies), so:
//
//   - "*" (an action with no resource-level permission) and a resource of
//     the caller's own account have no layer: the identity side decides,
//     as "Policy evaluation for requests within a single account" has it
//     (an allow in either suffices; the resource's policy could still
//     deny, which the caveats say);
//   - a resource of another account is a layer that allows nothing:
//     "Cross-account policy evaluation logic" requires the resource's
//     policy to allow too, and it was not read, so the answer is never an
//     allow;
//   - a resource whose ARN names no account (an S3 bucket or object) is
//     owned by an account the evaluator cannot tell, unless the request
//     context gives aws:ResourceAccount: without it the answer is not an
//     allow either, and the reason says what it depends on.
func (e *Evaluator) resourcePolicy(c *caller, req Request, ctx reqCtx, n *notes) *resourceSide {
	if req.Resource == "*" {
		return nil
	}
	owner := resourceAccountOf(req.Resource)
	if v := ctx["aws:resourceaccount"]; owner == "" && len(v) == 1 && policy.IsAccountID(v[0]) {
		owner = v[0]
	}
	switch {
	case owner == c.account:
		n.add("the resource-based policy of %s, if it has one, was not read: within the account it could still deny", req.Resource)
		return nil
	case owner == "" && isAWSManagedPolicy(req.Resource):
		// "AWS managed policies" (IAM User Guide): AWS owns them, the same
		// in every account, and an IAM policy has no resource-based
		// policy: the caller's own policies decide, as for a resource of
		// its own account.
		return nil
	case owner == "":
		return &resourceSide{side: side{label: "resource-based policy of " + req.Resource}, unread: true, ownerUnknown: true}
	}
	return &resourceSide{side: side{label: fmt.Sprintf("resource-based policy of %s (account %s)", req.Resource, owner)}, account: owner, unread: true}
}

// isAWSManagedPolicy reports whether an ARN names an AWS managed policy
// (arn:aws:iam::aws:policy/…), whose account field is "aws".
func isAWSManagedPolicy(arn string) bool {
	a, err := model.ParseARN(arn)
	return err == nil && a.Service == "iam" && a.Account == "aws" && strings.HasPrefix(a.Resource, "policy/")
}

// getCallerIdentity is the one action AWS answers without any policy.
const getCallerIdentity = "sts:GetCallerIdentity"

func isTrustAction(action string) bool {
	return slices.Contains(trustActions, strings.ToLower(action))
}

// findRole resolves a role ARN in the state.
func (e *Evaluator) findRole(arn string) (*model.Role, *model.Account, string) {
	a, _ := model.ParseARN(arn)
	acctID := a.Account
	acct := e.state.Accounts[acctID]
	if acct == nil {
		return nil, nil, fmt.Sprintf("account %s of role %s is not one of the accounts read", acctID, arn)
	}
	if a.Partition != partitionOf(acct) {
		return nil, nil, fmt.Sprintf("%s is in partition %q but account %s is in %q", arn, a.Partition, acctID, partitionOf(acct))
	}
	p, err := model.ParsePrincipal(arn)
	if err != nil || p.Kind != model.PrincipalRole {
		// Not a role's ARN: no role's name to look up.
		p = model.Principal{}
	}
	r := acct.Roles[model.NameKey(p.Name)]
	if r == nil {
		return nil, nil, fmt.Sprintf("there is no role %q in account %s", p.Name, acctID)
	}
	if pathOf(r.Path) != p.Path {
		return nil, nil, fmt.Sprintf("role %q in %s has path %s, not %s", r.Name, acctID, pathOf(r.Path), p.Path)
	}
	return r, acct, ""
}

// buildContext is the request context: the caller's keys, then the keys the
// evaluator derives from the state where the caller gave none.
func (e *Evaluator) buildContext(c *caller, req Request) reqCtx {
	ctx := reqCtx{}
	for k, v := range req.Context {
		lk := strings.ToLower(k)
		ctx[lk] = append(ctx[lk], v...)
	}
	set := func(k string, v ...string) {
		if _, ok := ctx[strings.ToLower(k)]; !ok {
			ctx[strings.ToLower(k)] = v
		}
	}
	set("aws:PrincipalAccount", c.account)
	set("aws:PrincipalIsAWSService", "false")
	var tags map[string]string
	switch c.kind {
	case kindUser:
		set("aws:PrincipalArn", c.arn)
		set("aws:PrincipalType", "User")
		set("aws:username", c.user.Name)
		tags = c.user.Tags
	default:
		// A role session's principal ARN is its role's (with path), not the
		// session's, and it has no aws:username.
		set("aws:PrincipalArn", c.roleARN)
		set("aws:PrincipalType", "AssumedRole")
		tags = c.role.Tags
	}
	for k, v := range tags {
		set("aws:PrincipalTag/"+k, v)
	}
	resourceAccount := resourceAccountOf(req.Resource)
	if resourceAccount != "" {
		set("aws:ResourceAccount", resourceAccount)
	} else if v := ctx["aws:resourceaccount"]; len(v) == 1 && policy.IsAccountID(v[0]) {
		// An ARN that names no account (S3): the owner the request gives.
		resourceAccount = v[0]
	}
	e.setOrgContext(ctx, c.account, resourceAccount)
	return ctx
}

// resourceOwner is the account that owns a request's resource: the one its
// ARN names, or, for an ARN that names none, the aws:ResourceAccount the
// request gives; "" when neither says.
func resourceOwner(req Request, ctx reqCtx) string {
	if a := resourceAccountOf(req.Resource); a != "" {
		return a
	}
	if v := ctx["aws:resourceaccount"]; len(v) == 1 && policy.IsAccountID(v[0]) {
		return v[0]
	}
	return ""
}

// resourceAccountOf is the account an ARN names, or "" (an S3 bucket's ARN
// names none).
func resourceAccountOf(arn string) string {
	if a, err := model.ParseARN(arn); err == nil && policy.IsAccountID(a.Account) {
		return a.Account
	}
	return ""
}

// source is one policy that applies to a request, with the words that name it.
type source struct {
	label string
	doc   policy.Document
}

// identityPolicies returns the caller's identity-based policies: a user's
// inline and attached policies and those of every group it is in; a role's
// (and so its sessions') inline and attached policies.
func (e *Evaluator) identityPolicies(c *caller, n *notes) []source {
	var out []source
	add := func(owner string, inline map[string]string, attached []string) {
		for _, name := range sortedKeys(inline) {
			label := fmt.Sprintf("inline policy %q of %s in %s", name, owner, c.account)
			if d, err := e.parse(inline[name]); err != nil {
				n.add("%s does not parse (%v) and was not evaluated", label, err)
			} else {
				out = append(out, source{label, d})
			}
		}
		for _, arn := range attached {
			if s, ok := e.managedPolicy(arn, "attached to "+owner, c, n); ok {
				out = append(out, s)
			}
		}
	}
	if c.kind == kindUser {
		add(fmt.Sprintf("user %q", c.user.Name), c.user.InlinePolicies, c.user.AttachedPolicies)
		for _, g := range c.user.Groups {
			grp := c.acct.Groups[model.NameKey(g)]
			if grp == nil {
				n.add("user %q in %s is in group %q, which does not exist there: its policies were not evaluated", c.user.Name, c.account, g)
				continue
			}
			add(fmt.Sprintf("group %q", grp.Name), grp.InlinePolicies, grp.AttachedPolicies)
		}
		return out
	}
	add(fmt.Sprintf("role %q", c.role.Name), c.role.InlinePolicies, c.role.AttachedPolicies)
	return out
}

// managedPolicy finds a managed policy that applies to the caller (attached,
// or its permissions boundary): AWS managed ones through the resolver,
// customer managed ones in the state (by ARN, or by name in the caller's
// account for states that record names). role says how it applies, e.g.
// attached to user "Ann"; the source's label is returned also when the
// policy cannot be read, with false.
func (e *Evaluator) managedPolicy(ref, role string, c *caller, n *notes) (source, bool) {
	a, err := model.ParseARN(ref)
	isARN := err == nil
	path, name, _ := model.IAMPath(a.Resource, "policy")
	if isARN && a.Service == "iam" && a.Account == "aws" {
		// An AWS managed policy is named with its path, as AWS lists it:
		// service-role/AWSLambdaBasicExecutionRole.
		label := fmt.Sprintf("AWS managed policy %s%s %s in %s", strings.TrimPrefix(path, "/"), name, role, c.account)
		if e.policies == nil {
			n.add("%s was not evaluated: the evaluator was given no AWS managed policy documents", label)
			return source{label: label}, false
		}
		text, ok := e.policies(ref)
		if !ok {
			n.add("%s (%s) is unknown to the evaluator and was not evaluated", label, ref)
			return source{label: label}, false
		}
		d, err := e.parse(text)
		if err != nil {
			n.add("%s does not parse (%v) and was not evaluated", label, err)
			return source{label: label}, false
		}
		return source{label, d}, true
	}
	acct := c.acct
	if isARN {
		acct = e.state.Accounts[a.Account]
	} else {
		// A name alone, as states that record names hold it.
		name = ref
	}
	var p *model.ManagedPolicy
	if acct != nil {
		p = acct.Policies[model.NameKey(name)]
	}
	where := c.account
	if acct != nil {
		where = acct.ID
	}
	label := fmt.Sprintf("customer managed policy %q %s in %s", name, role, where)
	if acct == nil {
		n.add("%s (%s) is in an account that is not one of those read, and was not evaluated", label, ref)
		return source{label: label}, false
	}
	if p == nil {
		n.add("%s (%s) does not exist and was not evaluated", label, ref)
		return source{label: label}, false
	}
	d, err := e.parse(p.Document)
	if err != nil {
		n.add("%s does not parse (%v) and was not evaluated", label, err)
		return source{label: label}, false
	}
	return source{label, d}, true
}

// scan is what a set of policies says about a request.
type scan struct {
	denies []Reason
	allows []Reason
	near   []Reason         // allows that would apply but for a condition
	best   principalMatch   // trust policies: how the best allow named the caller
	via    []principalMatch // trust policies: per allow, how it named the caller
	// direct is, per allow of a trust policy, whether it names the
	// caller's own user or session ARN: a grant no implicit deny of
	// another policy type limits within the account (see decide).
	direct []bool
	// allowBlocks are, per allow, its statement's Condition element;
	// avoided those of the denies that applied but whose conditions did
	// not hold.
	allowBlocks []condBlock
	avoided     []condBlock
}

func statementName(i int, s policy.Statement) string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("statement %d", i+1)
}

// actionCovered reports whether a statement's Action or NotAction covers
// the action, and how, in words.
func actionCovered(s policy.Statement, action string) (bool, string) {
	if s.NotActions != nil {
		for _, a := range s.NotActions {
			if policy.MatchAction(a, action) {
				return false, ""
			}
		}
		return true, fmt.Sprintf("NotAction %s does not exclude it", quoteList(s.NotActions))
	}
	for _, a := range s.Actions {
		if policy.MatchAction(a, action) {
			if strings.EqualFold(a, action) {
				return true, ""
			}
			return true, fmt.Sprintf("action %q covers it", a)
		}
	}
	return false, ""
}

// resourceCovered reports whether a statement's Resource or NotResource
// covers the resource. A statement with neither (trust policies) covers it.
func resourceCovered(s policy.Statement, resource string, vars policy.Vars, label, stmt string, n *notes) (bool, string) {
	check := func(pat string) bool {
		m, resolved := policy.MatchResource(pat, resource, vars)
		if !resolved {
			n.add("a policy variable in resource %q of %s, %s has no value in this request, so that resource was treated as not matching", pat, label, stmt)
		}
		return m
	}
	switch {
	case s.NotResources != nil:
		for _, r := range s.NotResources {
			if check(r) {
				return false, ""
			}
		}
		return true, fmt.Sprintf("NotResource %s does not exclude it", quoteList(s.NotResources))
	case s.Resources != nil:
		for _, r := range s.Resources {
			if check(r) {
				if r == resource {
					return true, ""
				}
				return true, fmt.Sprintf("resource %q covers it", r)
			}
		}
		return false, ""
	}
	return true, ""
}

// alwaysPresent are keys AWS puts in every request (or every request of
// a principal in an organization) that the evaluator cannot know: a
// condition on them, evaluated without them, may not reflect reality.
var alwaysPresent = map[string]bool{
	"aws:currenttime": true, "aws:epochtime": true, "aws:sourceip": true, "aws:securetransport": true,
	"aws:requestedregion": true, "aws:userid": true, "aws:principalorgid": true, "aws:principalorgpaths": true,
	"aws:viaawsservice": true, "aws:useragent": true,
}

// conditions evaluates a statement's Condition element and records what
// it could not know.
func conditions(s policy.Statement, doc policy.Document, ctx reqCtx, label, stmt string, n *notes) condResult {
	cr := evalConditions(s.Conditions, ctx, doc.Version == policy.Version)
	for _, k := range cr.missing {
		if lk := strings.ToLower(k); alwaysPresent[lk] && !(ctx[orgKnown] != nil && orgKeys[lk]) {
			n.add("%s, %s tests %s, which AWS supplies on real requests: give it in the request context; it was evaluated as absent", label, stmt, k)
		}
	}
	for _, op := range cr.unknown {
		n.add("%s, %s uses condition operator %s, which the evaluator does not know: the statement was treated as not matching", label, stmt, op)
	}
	return cr
}

// scanIdentity evaluates the caller's identity-based policies.
func (e *Evaluator) scanIdentity(c *caller, req Request, ctx reqCtx, n *notes) scan {
	return e.scanSources(e.identityPolicies(c, n), req, ctx, n)
}

// boundaryLayer is the caller's permissions boundary: the user's, or the
// role's for a role and its sessions; nil when it has none. "Permissions
// boundaries for IAM entities" (IAM User Guide): the effective permissions
// are those both the identity-based policies and the boundary allow, and an
// explicit deny in the boundary denies. A boundary whose document cannot be
// read (an AWS managed policy the evaluator was not given, a customer
// managed one not in the state) is a layer with no allow: an answer then
// cannot be allow on the strength of policies the boundary may forbid, and
// the caveats name the policy.
func (e *Evaluator) boundaryLayer(c *caller, req Request, ctx reqCtx, n *notes) *side {
	src, ok, has := e.boundary(c, n)
	if !has {
		return nil
	}
	if !ok {
		n.add("%s could not be read: a boundary limits every allow, so none was counted", src.label)
		return &side{label: src.label}
	}
	return &side{scan: e.scanSources([]source{src}, req, ctx, n), label: src.label}
}

// callerLayers are the policies of the caller's side that must each allow
// a request, one list per layer (see decide): its identity-based policies,
// its permissions boundary when it has one that can be read, each level of
// SCPs that limits it and each level of RCPs of the resource's account. The
// search for the contexts that allow (WhoCanAssume) reads them as the
// evaluation does.
func (e *Evaluator) callerLayers(c *caller, resourceAccount, action string) [][]source {
	var n notes
	out := [][]source{e.identityPolicies(c, &n)}
	if src, ok, _ := e.boundary(c, &n); ok {
		out = append(out, []source{src})
	}
	if srcs, ok := e.sessionSources(c, &n); ok {
		out = append(out, srcs)
	}
	for _, l := range e.scpLevels(c, &n) {
		out = append(out, l.srcs)
	}
	for _, l := range e.rcpLevels(c.serviceLinked(), resourceAccount, action, &n) {
		out = append(out, l.srcs)
	}
	return out
}

// docsOf are the documents of some policies.
func docsOf(srcs []source) []policy.Document {
	out := make([]policy.Document, len(srcs))
	for i, s := range srcs {
		out[i] = s.doc
	}
	return out
}

// sessionLayer is the session policies passed when the caller's session
// was made (Inputs.SessionPolicies, by the session's ARN or its role's);
// nil when none were given. "Session policies" (IAM User Guide, Policies
// and permissions in IAM): the session's permissions are the intersection
// of its role's identity-based policies and the session policies, and an
// explicit deny in either denies; decide applies the same-account rules
// for grants to the role's ARN (limited) and to the session's (not).
func (e *Evaluator) sessionLayer(c *caller, req Request, ctx reqCtx, n *notes) *side {
	srcs, ok := e.sessionSources(c, n)
	if !ok {
		return nil
	}
	return &side{scan: e.scanSources(srcs, req, ctx, n), label: "session policies of " + c.label()}
}

// sessionSources are the caller's session policies, parsed; ok is false
// when none were given for it.
func (e *Evaluator) sessionSources(c *caller, n *notes) (srcs []source, ok bool) {
	if c.kind == kindUser || e.sessionPolicies == nil {
		return nil, false
	}
	docs, ok := e.sessionPolicies[c.arn]
	if !ok {
		docs, ok = e.sessionPolicies[c.roleARN]
	}
	if !ok {
		// Session policies were given for other principals: the general
		// caveat is gone, so this caller's answer says it for itself.
		n.add("no session policy was given for %s: a session's policy can only narrow what its role allows", c.label())
		return nil, false
	}
	for i, text := range docs {
		label := fmt.Sprintf("session policy %d of %s", i+1, c.label())
		d, err := e.parse(text)
		if err != nil {
			// STS refuses a session policy that does not parse
			// (MalformedPolicyDocument): the session cannot exist, so
			// nothing is allowed through it.
			n.add("%s does not parse (%v): it was read as allowing nothing", label, err)
			continue
		}
		srcs = append(srcs, source{label: label, doc: d})
	}
	return srcs, true
}

// boundary is the caller's permissions boundary policy: has is false when
// the caller has none, ok false when it has one that cannot be read.
func (e *Evaluator) boundary(c *caller, n *notes) (src source, ok, has bool) {
	arn := c.boundaryARN()
	if arn == "" {
		return source{}, false, false
	}
	var owner string
	if c.kind == kindUser {
		owner = fmt.Sprintf("user %q", c.user.Name)
	} else {
		owner = fmt.Sprintf("role %q", c.role.Name)
	}
	src, ok = e.managedPolicy(arn, "set as the permissions boundary of "+owner, c, n)
	return src, ok, true
}

// scanSources matches a request against the statements of some policies of
// one layer.
func (e *Evaluator) scanSources(srcs []source, req Request, ctx reqCtx, n *notes) scan {
	var sc scan
	for _, src := range srcs {
		var vars policy.Vars
		if src.doc.Version == policy.Version {
			vars = ctx.resolver()
		}
		for i, s := range src.doc.Statements {
			stmt := statementName(i, s)
			okA, howA := actionCovered(s, req.Action)
			if !okA {
				continue
			}
			okR, howR := resourceCovered(s, req.Resource, vars, src.label, stmt, n)
			if !okR {
				continue
			}
			cr := conditions(s, src.doc, ctx, src.label, stmt, n)
			how := joinHow(howA, howR, condNote(s))
			switch {
			case cr.ok && s.Effect == "Deny":
				sc.denies = append(sc.denies, Reason{"Deny", src.label, stmt,
					fmt.Sprintf("denies %s on %s%s; an explicit deny overrides every allow", req.Action, req.Resource, how)})
			case cr.ok:
				sc.allows = append(sc.allows, Reason{"Allow", src.label, stmt,
					fmt.Sprintf("allows %s on %s%s", req.Action, req.Resource, how)})
				sc.allowBlocks = append(sc.allowBlocks, condBlock{s.Conditions, src.doc.Version == policy.Version})
			case s.Effect == "Deny":
				sc.avoided = append(sc.avoided, condBlock{s.Conditions, src.doc.Version == policy.Version})
			default:
				sc.near = append(sc.near, Reason{"Missing", src.label, stmt,
					fmt.Sprintf("would allow %s on %s, but its condition does not hold: %s", req.Action, req.Resource, cr.failed)})
			}
		}
	}
	return sc
}

func condNote(s policy.Statement) string {
	if len(s.Conditions) == 0 {
		return ""
	}
	return "its conditions hold"
}

// joinHow puts the non-empty explanations in parentheses.
func joinHow(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return ""
	}
	return " (" + strings.Join(keep, "; ") + ")"
}

// scanTrust evaluates the role's trust policy for the caller.
func (e *Evaluator) scanTrust(c *caller, role *model.Role, acct *model.Account, req Request, ctx reqCtx, n *notes) scan {
	var sc scan
	label := fmt.Sprintf("trust policy of role %q in %s", role.Name, acct.ID)
	doc, err := e.parse(role.TrustPolicy)
	if err != nil {
		n.add("%s does not parse (%v): no statement of it could allow", label, err)
		return sc
	}
	var vars policy.Vars
	if doc.Version == policy.Version {
		vars = ctx.resolver()
	}
	for i, s := range doc.Statements {
		stmt := statementName(i, s)
		okA, _ := actionCovered(s, req.Action)
		if !okA {
			continue
		}
		var m principalMatch
		var who string
		switch {
		case s.Principals != nil:
			var by string
			m, by = c.matchPrincipal(s.Principals)
			who = describeMatch(c, m, by)
		case s.NotPrincipals != nil:
			if c.notPrincipalApplies(s.NotPrincipals, s.Effect) {
				m = viaIdentity
				who = "NotPrincipal does not exempt " + c.label()
			}
		}
		if m == noMatch {
			continue
		}
		if okR, _ := resourceCovered(s, req.Resource, vars, label, stmt, n); !okR {
			continue
		}
		cr := conditions(s, doc, ctx, label, stmt, n)
		switch {
		case cr.ok && s.Effect == "Deny":
			sc.denies = append(sc.denies, Reason{"Deny", label, stmt,
				fmt.Sprintf("denies %s to %s%s; an explicit deny overrides every allow", req.Action, c.label(), joinHow(who, condNote(s)))})
		case cr.ok:
			detail := fmt.Sprintf("allows %s for %s%s", req.Action, c.label(), joinHow(who, condNote(s)))
			sc.allows = append(sc.allows, Reason{"Allow", label, stmt, detail})
			sc.via = append(sc.via, m)
			sc.direct = append(sc.direct, m == viaIdentity && s.Principals != nil && c.namesItself(s.Principals))
			sc.allowBlocks = append(sc.allowBlocks, condBlock{s.Conditions, doc.Version == policy.Version})
			if m > sc.best {
				sc.best = m
			}
		case s.Effect == "Deny":
			sc.avoided = append(sc.avoided, condBlock{s.Conditions, doc.Version == policy.Version})
		default:
			sc.near = append(sc.near, Reason{"Missing", label, stmt,
				fmt.Sprintf("would allow %s for %s (%s), but its condition does not hold: %s", req.Action, c.label(), who, cr.failed)})
		}
	}
	return sc
}

func describeMatch(c *caller, m principalMatch, by string) string {
	switch {
	case m == viaAccount:
		return fmt.Sprintf("it names account %s, which leaves the decision to that account's IAM policies", c.account)
	case by == "*":
		return `it names every principal, "*"`
	case c.kind != kindUser && by == c.roleARN:
		return "it names the role " + by + ", whose sessions it trusts"
	}
	return "it names " + by
}
