package access

import (
	"fmt"
	"slices"
)

// side is what one policy, or one policy type, says about a request (its
// denies, allows and near misses), and the words that name it in a reason
// that says its allow is missing.
type side struct {
	scan
	label string
}

// resourceSide is the resource's own policy: a role's trust policy, or
// another resource-based policy.
type resourceSide struct {
	side
	account string // the account that owns the resource
	// trust is true for a role trust policy, which must allow the request
	// itself: "How AWS enforcement code logic evaluates requests to allow
	// or deny access" names role trust policies (with KMS key policies) as
	// the exception to "an allow in either the identity-based or the
	// resource-based policy is enough".
	trust bool
	// unread is true for a resource's policy that was not read, a layer
	// that allows nothing (see resourcePolicy); ownerUnknown when, in
	// addition, the resource's account is unknown.
	unread, ownerUnknown bool
}

// owner names the resource in reasons, possessive.
func (r *resourceSide) owner() string {
	if r.trust {
		return "role's"
	}
	return "resource's"
}

// noun names the policy in reasons.
func (r *resourceSide) noun() string {
	if r.trust {
		return "trust policy"
	}
	return "resource's policy"
}

// layers are the policy types that apply to one request, one layer each. A
// nil layer is a policy type that does not apply to the request (no
// boundary, no session policy, no organisation read, an account outside
// it): it is not consulted and decides nothing, as though AWS had none of
// that type; where that is a gap rather than a fact, the caveats say so.
// The evaluator builds every layer from the state and the Inputs.
type layers struct {
	// identity is the caller's identity-based policies; nil for a
	// principal outside the state, whose own policies are unknown.
	identity *side
	// resource is the resource's policy: the role's trust policy for
	// sts:AssumeRole and its companions; nil when none was read.
	resource *resourceSide
	boundary *side // the caller's permissions boundary
	session  *side // the session policies of the caller's session
	// scps are the caller's account's levels, root first, each with its
	// SCPs; rcps the same for the resource's account with its RCPs. nil
	// when the organisation was not read, or AWS exempts the request (the
	// management account; for RCPs, services that do not support them).
	scps, rcps []side
}

// all lists the layers present, in the order their reasons are listed:
// the caller's own, the resource's, then the guardrails. AWS's pages give
// no order among policies that deny; this one reads as a person would
// look.
func (l layers) all() []*scan {
	var out []*scan
	if l.identity != nil {
		out = append(out, &l.identity.scan)
	}
	if l.resource != nil {
		out = append(out, &l.resource.scan)
	}
	if l.boundary != nil {
		out = append(out, &l.boundary.scan)
	}
	if l.session != nil {
		out = append(out, &l.session.scan)
	}
	for i := range l.scps {
		out = append(out, &l.scps[i].scan)
	}
	for i := range l.rcps {
		out = append(out, &l.rcps[i].scan)
	}
	return out
}

// question is what decide needs of a request beyond its layers.
type question struct {
	action, resource string
	who              string // the caller in reasons, e.g. user "David" in 111111111111
	account          string // the caller's account; "" when it has none
	// ctx and fixed are the context evaluated and the keys that describe
	// the caller, for what an allow rested on (basis).
	ctx   reqCtx
	fixed func(key string) bool
}

// decide combines the layers into the answer, in the order of AWS's "How
// AWS enforcement code logic evaluates requests to allow or deny access"
// (IAM User Guide, Policy evaluation logic), each step ending the
// evaluation when it decides:
//
//  1. Deny evaluation: an explicit Deny in any layer (identity-based,
//     resource-based, boundary, session, SCP, RCP) is the final answer.
//  2. RCPs, then SCPs: each level must have an applicable Allow ("SCP
//     evaluation": every level from the root to the account).
//  3. Resource-based policies: a role trust policy must allow. Within the
//     resource's account an allow that names the caller's own user or
//     session ARN suffices by itself, and one that names its role's ARN
//     suffices unless a permissions boundary or session policy lacks an
//     allow (the page's table "Resource-based policies and implicit denies
//     in other policy types (same account)"). One that names only the
//     account leaves the decision to the caller's policies. The table
//     covers user, role, session and federated-user ARNs only; for "*" and
//     for NotPrincipal, about which it is silent, the narrower reading is
//     taken: limited like a role's ARN.
//  4. Identity-based policies must allow (unless step 3 decided).
//  5. A permissions boundary, when the caller has one, must allow.
//  6. Session policies, when the session has them, must allow.
//
// Across accounts "Cross-account policy evaluation logic" applies: both
// accounts evaluate, the resource's policy must allow the caller and the
// caller's identity-based policies (and what limits them) must allow the
// request; the same-account shortcuts of step 3 do not apply. For a request
// with no resource policy read (a non-IAM resource), the resource side is a
// layer that allows nothing when the resource is of another account or of
// an owner the request does not say (see resourcePolicy): the answer is
// then never an allow, and the reasons say what it depends on.
func decide(q question, l layers) Result {
	var denies []Reason
	for _, s := range l.all() {
		denies = append(denies, s.denies...)
	}
	if len(denies) > 0 {
		return Result{Decision: DecisionExplicitDeny, Reasons: denies}
	}
	for _, g := range l.rcps {
		if len(g.allows) == 0 {
			return implicitDeny(g.missing(q, "an RCP must allow it at every level from the root to the resource's account"))
		}
	}
	for _, g := range l.scps {
		if len(g.allows) == 0 {
			return implicitDeny(g.missing(q, "an SCP must allow it at every level from the root to the caller's account"))
		}
	}
	id, res := l.identity, l.resource
	if id == nil && res == nil {
		return implicitDeny([]Reason{{Effect: "Missing", Policy: "policies of " + q.who,
			Detail: fmt.Sprintf("none that could allow %s on %s was read", q.action, q.resource)}})
	}
	same := res != nil && q.account != "" && res.account == q.account
	// An unread resource policy speaks only once the caller's own policies
	// allow: otherwise they are the reason.
	unreadSpeaks := res == nil || !res.unread || id == nil || len(id.allows) > 0
	if res != nil && len(res.allows) == 0 && (res.trust || !same) && unreadSpeaks {
		detail := fmt.Sprintf("no statement allows %s for %s", q.action, q.who)
		switch {
		case res.ownerUnknown:
			detail = fmt.Sprintf("the ARN does not name the account that owns %s: within the caller's account (%s) its own allow would suffice, from another account the resource's policy must allow too (a service without resource-based policies refuses it), and resource-based policies are not read; give the owner as aws:ResourceAccount in the request context", q.resource, q.account)
		case res.unread:
			detail = fmt.Sprintf("it was not read, and a request from another account (%s) needs an allow in the resource's policy as well as in the caller's own policies", q.account)
		case !res.trust:
			detail += "; a cross-account request needs an allow in the resource's policy and in the caller's own policies"
		}
		reasons := append([]Reason{{Effect: "Missing", Policy: res.label, Detail: detail}}, res.near...)
		if id != nil {
			reasons = append(reasons, id.near...)
		}
		return implicitDeny(reasons)
	}
	guards := l.guards()
	if same {
		// The allows that name the caller itself, each of which decides
		// within the resource's account when the guardrails it is subject
		// to allow.
		guardsAllow := l.missingGuard(q) == nil
		var direct []Reason
		var blocks []condBlock
		blocked, unlimited := false, false
		for i, r := range res.allows {
			if i >= len(res.via) || res.via[i] != viaIdentity {
				continue
			}
			own := i < len(res.direct) && res.direct[i]
			if !own && !guardsAllow {
				blocked = true
				continue
			}
			unlimited = unlimited || own
			r.Detail += "; within the " + res.owner() + " own account that suffices without an identity-based allow"
			direct = append(direct, r)
			blocks = append(blocks, res.allowBlocks[i])
		}
		if len(direct) > 0 {
			reasons := direct
			if id != nil {
				reasons = append(reasons, id.allows...)
			}
			sides := [][]condBlock{blocks}
			if !unlimited {
				for _, g := range guards {
					reasons = append(reasons, g.allows...)
					sides = append(sides, g.allowBlocks)
				}
			}
			return allowed(q, l, reasons, append(sides, l.orgSides()...))
		}
		if blocked {
			return implicitDeny(l.missingGuard(q))
		}
	}
	if id != nil && len(id.allows) == 0 {
		detail := fmt.Sprintf("no statement allows %s on %s", q.action, q.resource)
		switch {
		case res != nil && !same:
			detail += fmt.Sprintf("; a cross-account request needs an allow in the %s and in the caller's own policies", res.noun())
		case res != nil && len(res.allows) > 0:
			detail += fmt.Sprintf("; the %s names only the account, which leaves the decision to the caller's own policies", res.noun())
		default:
			detail += ", so it is implicitly denied"
		}
		reasons := append([]Reason{{Effect: "Missing", Policy: id.label, Detail: detail}}, id.near...)
		if res != nil {
			reasons = append(reasons, res.allows...)
		}
		return implicitDeny(reasons)
	}
	if r := l.missingGuard(q); r != nil {
		return implicitDeny(r)
	}
	var reasons []Reason
	var sides [][]condBlock
	if res != nil && (res.trust || !same) {
		reasons = append(reasons, res.allows...)
		sides = append(sides, res.allowBlocks)
	}
	if id != nil {
		reasons = append(reasons, id.allows...)
		sides = append(sides, id.allowBlocks)
	}
	for _, g := range guards {
		reasons = append(reasons, g.allows...)
		sides = append(sides, g.allowBlocks)
	}
	return allowed(q, l, reasons, append(sides, l.orgSides()...))
}

// guards are the layers that limit the caller's identity-based permissions
// and the grants to its role's ARN, those present: its permissions
// boundary ("Permissions boundaries for IAM entities"), then its session
// policies ("Session policies", Policies and permissions in IAM).
func (l layers) guards() []*side {
	var out []*side
	for _, g := range []*side{l.boundary, l.session} {
		if g != nil {
			out = append(out, g)
		}
	}
	return out
}

// orgSides are the SCP and RCP levels' allows, each of which had to hold
// for an allowed request. Their allows are not listed among the reasons:
// every level of an organisation carries one (FullAWSAccess unless
// replaced), and a person reads what granted, not what did not forbid.
func (l layers) orgSides() [][]condBlock {
	var out [][]condBlock
	for _, g := range append(append([]side{}, l.scps...), l.rcps...) {
		out = append(out, g.allowBlocks)
	}
	return out
}

// missingGuard returns the reasons of the first guard that has no allow,
// or nil when every guard present allows.
func (l layers) missingGuard(q question) []Reason {
	switch {
	case l.boundary != nil && len(l.boundary.allows) == 0:
		return l.boundary.missing(q, "a permissions boundary sets the most that the caller's identity-based policies, and grants to its role, can allow")
	case l.session != nil && len(l.session.allows) == 0:
		return l.session.missing(q, "a session policy sets the most that the session's role, and grants to it, can allow")
	}
	return nil
}

// missing says that the side has no statement that allows the request,
// and why that decides, followed by its near misses.
func (s side) missing(q question, why string) []Reason {
	return append([]Reason{{Effect: "Missing", Policy: s.label,
		Detail: fmt.Sprintf("no statement allows %s on %s; %s", q.action, q.resource, why)}}, s.near...)
}

func implicitDeny(reasons []Reason) Result {
	return Result{Decision: DecisionImplicitDeny, Reasons: reasons}
}

// allowed is the allow, with what it rested on: the statements of each
// layer that had to allow (sides) and the conditional denies of every
// layer that the request escaped.
func allowed(q question, l layers, reasons []Reason, sides [][]condBlock) Result {
	var avoided []condBlock
	for _, s := range l.all() {
		avoided = append(avoided, s.avoided...)
	}
	return Result{Allowed: true, Decision: DecisionAllow, Reasons: reasons,
		basis: &basis{ctx: q.ctx, fixed: q.fixed, sides: sides, avoided: avoided}}
}

// namesItself reports whether a Principal element names the caller's own
// user or session ARN, rather than its role's ARN, its account or "*":
// within the account, AWS's table says no implicit deny in the caller's
// identity-based policies, permissions boundary or session policies limits
// such a grant. A role given as the caller stands for a session whose name
// is unknown, so nothing names that session.
func (c *caller) namesItself(p map[string][]string) bool {
	return c.kind != kindRole && slices.Contains(p["AWS"], c.arn)
}
