package access

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/policy"
)

// Trust judged alone. WhoCanAssume answers who can assume a role today, with
// every policy of the accounts read. A trust policy also says something of
// its own, whatever those accounts hold: which accounts and which principals
// it lets in at all. IAM Access Analyzer judges external access that way
// (IAM User Guide, "IAM Access Analyzer findings": a finding for each
// resource-based policy — a role's trust policy among them — that grants
// access to a principal outside the zone of trust, from the policy itself,
// the trusted account's own policies not considered). Two answers of the
// evaluator rest on that judgement:
//
//   - delegations: the account roots (an account id or root ARN) and the
//     wildcard ("*") a trust policy admits. Trusting an account's root lets
//     the account's own identity-based policies decide who assumes the role
//     ("How IAM roles differ from resource-based policies" and the
//     cross-account tutorial, "Delegate access across AWS accounts using IAM
//     roles"), so a plan that starts admitting one hands that decision to
//     the account — even when no principal there can assume the role yet;
//   - trusts_only expectations: nobody outside a list is admitted.

// judgedAlone returns an evaluator that holds no account: every principal a
// trust policy names is then an outsider of it, evaluated on the trust
// policy alone, roots of the accounts trustform reads included.
func judgedAlone() *Evaluator { return New(Inputs{}) }

// TrustAdmits lists every principal the role's trust policy admits judged
// alone — account roots, users, roles and sessions of any account, "*",
// services and federated providers — each with the least condition context
// under which its Allow holds and no Deny of the trust policy refuses it,
// sorted by principal. Principals of the accounts read are judged like any
// other: by what the trust policy says of them, not by their own policies.
func (e *Evaluator) TrustAdmits(roleARN string) []Assumer {
	out, _ := e.TrustSearch(roleARN)
	return out
}

// TrustSearch is TrustAdmits, with the principals the trust policy names
// for which the search of condition contexts was cut (see maxContexts) and
// no context tried admits them: undecided, never reported as admitted, and
// never to be read as "not admitted" either.
func (e *Evaluator) TrustSearch(roleARN string) (admitted []Assumer, undecided []string) {
	e.eachAdmitted(roleARN, func(o outsider, allowing []map[string][]string, gap searchGap, eval func(map[string][]string) Result) {
		a, ok := leastContext(o.id, o.who, allowing, eval)
		switch {
		case ok:
			a.Outside = true
			if gap.cut {
				a.Result.Caveats = append(a.Result.Caveats, cutCaveat)
			}
			admitted = append(admitted, a)
		case gap.incomplete():
			undecided = append(undecided, o.id)
		}
	})
	slices.SortFunc(admitted, func(a, b Assumer) int { return strings.Compare(a.Principal, b.Principal) })
	slices.Sort(undecided)
	return admitted, undecided
}

// Delegations is TrustAdmits narrowed to what a trust policy delegates: the
// account roots (any principal of the account that its own policies allow)
// and "*" (any principal of any account).
func (e *Evaluator) Delegations(roleARN string) []Assumer {
	var out []Assumer
	for _, a := range e.TrustAdmits(roleARN) {
		if isDelegate(a.who) {
			out = append(out, a)
		}
	}
	return out
}

// AnyonePinned reports whether a role's trust policy, wherever it admits
// every principal ("*"), confines it to covered accounts and principals —
// from the conditions themselves, not from example contexts, so that every
// value of a list counts. An Allow to "*" is pinned when one of its tests is
// a positive string or ARN test (no IfExists, no ForAllValues: both hold
// for a request without the key) on aws:PrincipalAccount whose every value
// is a covered account, or on aws:PrincipalArn whose every value is in a
// covered account (its account field without wildcards) or is, without
// wildcards, a covered principal. A Deny to "*" of sts:AssumeRole whose one
// test is the negated form on the same keys, naming only covered values,
// pins every Allow. A value with a policy variable pins nothing
// (${aws:PrincipalAccount} matches every caller). When not pinned, why
// names the first statement that leaves "*" open.
//
// The keys are those of "AWS global condition context keys"
// (aws:PrincipalAccount, aws:PrincipalArn); AWS's page on IAM Access
// Analyzer findings counts these, among others, as narrowing "*". Other keys
// that narrow it (aws:PrincipalOrgID, aws:SourceAccount, ...) are not taken
// as confining it to a listed account: an organization is not a list of
// accounts the stack names.
func (e *Evaluator) AnyonePinned(roleARN string, accountCovered, arnCovered func(string) bool) (pinned bool, why string) {
	role, _, _ := e.findRole(roleARN)
	if role == nil {
		return true, ""
	}
	trust, err := e.parse(role.TrustPolicy)
	if err != nil {
		return true, ""
	}
	namesAnyone := func(s policy.Statement) bool {
		if _, ok := s.Principals["*"]; ok {
			return true
		}
		return slices.Contains(s.Principals["AWS"], "*")
	}
	valueCovered := func(key, v string) bool {
		if strings.Contains(v, "${") {
			return false
		}
		switch strings.ToLower(key) {
		case "aws:principalaccount":
			return !strings.ContainsAny(v, "*?") && accountCovered(v)
		case "aws:principalarn":
			// An ARN pattern whose account field is a covered account,
			// without wildcards, confines the caller to it.
			if a, err := model.ParseARN(v); err == nil && !strings.ContainsAny(a.Account, "*?") && a.Account != "" && accountCovered(a.Account) {
				return true
			}
			return !strings.ContainsAny(v, "*?") && arnCovered(v)
		}
		return false
	}
	// pins reports whether one test confines the caller, in its positive
	// (for an Allow) or negated (for a Deny) form.
	pins := func(conds map[string]map[string][]string, negated bool) bool {
		for opName, keys := range conds {
			op, fam, ok := parseOperator(opName)
			if !ok || op.ifExists || op.qualifier == "ForAllValues" || fam.negated != negated {
				continue
			}
			if fam.kind != "string" && fam.kind != "stringFold" && fam.kind != "like" && fam.kind != "arn" {
				continue
			}
			for key, vals := range keys {
				if len(vals) == 0 {
					continue
				}
				all := true
				for _, v := range vals {
					if !valueCovered(key, v) {
						all = false
					}
				}
				if all {
					return true
				}
			}
		}
		return false
	}
	for _, s := range trust.Statements {
		if ok, _ := actionCovered(s, "sts:AssumeRole"); ok && s.Effect == "Deny" && namesAnyone(s) && len(s.Conditions) == 1 {
			for _, keys := range s.Conditions {
				if len(keys) == 1 && pins(s.Conditions, true) {
					return true, ""
				}
			}
		}
	}
	for i, s := range trust.Statements {
		if ok, _ := actionCovered(s, "sts:AssumeRole"); !ok || s.Effect != "Allow" || !namesAnyone(s) {
			continue
		}
		if !pins(s.Conditions, false) {
			return false, fmt.Sprintf("%s admits every principal (\"*\") without a test of aws:PrincipalAccount or aws:PrincipalArn that names only listed accounts and principals", statementName(i, s))
		}
	}
	return true, ""
}

// eachAdmitted calls fn for every principal the role's trust policy names
// in an Allow, with the contexts to try for it, whether they were cut at
// the bound, and its evaluation on the trust policy alone.
func (e *Evaluator) eachAdmitted(roleARN string, fn func(o outsider, contexts []map[string][]string, gap searchGap, eval func(map[string][]string) Result)) {
	role, acct, _ := e.findRole(roleARN)
	if role == nil {
		return
	}
	trust, err := e.parse(role.TrustPolicy)
	if err != nil {
		return
	}
	alone := judgedAlone()
	for _, o := range alone.outsiders(trust, partitionOf(acct)) {
		var contexts []map[string][]string
		all, gap := alone.outsideSearch(o, trust, acct.ID)
		for _, ctx := range all {
			if alone.consistentContext(o, ctx) {
				contexts = append(contexts, ctx)
			}
		}
		fn(o, contexts, gap, func(ctx map[string][]string) Result {
			return alone.evaluateOutside(o, role, acct, trust, ctx)
		})
	}
}

// isDelegate reports whether an Assumer's principal is one a trust policy
// delegates to: an account root or "*".
func isDelegate(p model.Principal) bool {
	return p.Kind == model.PrincipalAnyone || p.Kind == model.PrincipalRoot && policy.IsAccountID(p.Account)
}
