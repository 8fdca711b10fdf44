package expect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
)

// Check evaluates every expectation of the configuration on the state.
func Check(cfg *model.Config, state *model.State, ev *access.Evaluator) []model.ExpectationResult {
	out := make([]model.ExpectationResult, 0, len(cfg.Expectations))
	for _, x := range cfg.Expectations {
		out = append(out, check(x, state, ev))
	}
	return out
}

func check(x *model.ExpectConfig, state *model.State, ev *access.Evaluator) model.ExpectationResult {
	r := model.ExpectationResult{Address: x.Address, Source: x.Source}
	switch {
	case x.CanAssume != "":
		r.Summary = fmt.Sprintf("%s can assume %s", refName(*x.Principal), arnName(x.CanAssume))
		assumers, undecided := ev.SearchAssumers(x.CanAssume)
		if a, ok := find(assumers, x.Principal.ARN); ok {
			r.Passed = true
			r.Reasons = append(r.Reasons, "it can"+conditions(a))
		} else {
			r.Reasons = whyNot(ev, x.Principal.ARN, x.CanAssume)
			if slices.Contains(undecided, x.Principal.ARN) {
				r.Reasons = append(r.Reasons, undecidedReason)
			}
		}
	case x.CannotAssume != "":
		r.Summary = fmt.Sprintf("%s cannot assume %s", refName(*x.Principal), arnName(x.CannotAssume))
		assumers, undecided := ev.SearchAssumers(x.CannotAssume)
		if a, ok := find(assumers, x.Principal.ARN); ok {
			r.Reasons = append(r.Reasons, "it can"+conditions(a))
			r.Reasons = append(r.Reasons, reasons(a.Result)...)
		} else if slices.Contains(undecided, x.Principal.ARN) {
			// Passing would be a silent "nobody": a context not tried
			// might let it in.
			r.Reasons = append(whyNot(ev, x.Principal.ARN, x.CannotAssume), undecidedReason)
		} else {
			r.Passed = true
			r.Reasons = whyNot(ev, x.Principal.ARN, x.CannotAssume)
		}
	case x.TrustsOnly != nil:
		return trustsOnly(x, ev)
	default:
		names := make([]string, len(x.AssumableOnlyBy))
		for i, p := range x.AssumableOnlyBy {
			names[i] = refName(p)
		}
		r.Summary = fmt.Sprintf("%s is assumable only by %s", arnName(x.Role), strings.Join(names, ", "))
		allowed := allowedSet(x.AssumableOnlyBy, state)
		r.Passed = true
		assumers, undecided := ev.SearchAssumers(x.Role)
		for _, p := range undecided {
			if !allowed[principalOf(p)] && !allowed["account:"+accountOf(p)] {
				r.Passed = false
				r.Reasons = append(r.Reasons, fmt.Sprintf("%s is not in the list, and %s", arnName(p), undecidedReason))
			}
		}
		for _, a := range assumers {
			// Principals the trust policy names outside the accounts read
			// (another account, "*", a service) count like any other: an
			// expectation that passed while the role was open to them would
			// be false comfort. Listing an account allows anyone in it.
			if allowed[principalOf(a.Principal)] || allowed["account:"+accountOf(a.Principal)] {
				continue
			}
			r.Passed = false
			r.Reasons = append(r.Reasons, fmt.Sprintf("%s can assume it%s, and is not in the list", arnName(a.Principal), conditions(a)))
		}
		if r.Passed {
			r.Reasons = append(r.Reasons, "nobody outside the list can assume it")
		}
	}
	return r
}

// undecidedReason says why an expectation cannot pass on a search that fell
// short: the evaluator found no context that lets the principal in, but did
// not try every one (the search was cut at its bound, or policies test one
// key with tests it could not meet together).
const undecidedReason = "trustform could not decide: its search of condition contexts found none that lets it in, but was cut at its bound or met policies testing one key in ways it could not satisfy together, and a context not tried might; simplify the policies' conditions, or check the request with explain"

// whyNot explains a refusal from the plainest request: no MFA, no ExternalId.
func whyNot(ev *access.Evaluator, principal, role string) []string {
	res := ev.CanAssume(principal, role, nil)
	return append([]string{"it cannot (" + res.Decision + ")"}, reasons(res)...)
}

func reasons(res access.Result) []string {
	var out []string
	for _, r := range res.Reasons {
		line := r.Effect + ": " + r.Policy
		if r.Statement != "" {
			line += ", " + r.Statement
		}
		if r.Detail != "" {
			line += ": " + r.Detail
		}
		out = append(out, line)
	}
	return out
}

func find(list []access.Assumer, principal string) (access.Assumer, bool) {
	for _, a := range list {
		if a.Principal == principal {
			return a, true
		}
	}
	return access.Assumer{}, false
}

func conditions(a access.Assumer) string {
	if len(a.Conditions) == 0 {
		return ", with no condition to meet"
	}
	return " " + strings.Join(a.Conditions, " and ")
}

// allowedSet is every principal ARN the list names: users and roles as
// given, and the users in each listed group (read from the state, so a member
// added outside the stack counts).
func allowedSet(list []model.PrincipalRef, state *model.State) map[string]bool {
	out := map[string]bool{}
	for _, p := range list {
		if p.Kind == model.KindAccount {
			out["account:"+p.Account] = true
			continue
		}
		if p.Kind != model.KindGroup {
			out[p.ARN] = true
			continue
		}
		a := state.Accounts[p.Account]
		if a == nil {
			continue
		}
		for _, u := range a.Users {
			if slices.ContainsFunc(u.Groups, func(g string) bool { return model.NameKey(g) == model.NameKey(p.Name) }) {
				out[model.UserARN(a.Partition, a.ID, u.Path, u.Name)] = true
			}
		}
	}
	return out
}

// principalOf maps a role session to its role, so that listing a role
// allows its sessions.
func principalOf(arn string) string {
	if p, err := model.ParsePrincipal(arn); err == nil && p.Kind == model.PrincipalAssumedRole {
		return p.Role().ARN()
	}
	return arn
}

// accountOf is the account of a principal ARN, "" for "*", a service or a
// federated provider host.
func accountOf(arn string) string {
	a, _ := model.ParseARN(arn)
	return a.Account
}

func refName(p model.PrincipalRef) string { return fmt.Sprintf("%s %q", p.Kind, p.Name) }

// arnName shows the ARN of a user, role, group or session by its label,
// e.g. role "UpdateApp" in 999999999999; other ARNs as they are.
func arnName(arn string) string {
	p, err := model.ParsePrincipal(arn)
	if _, managed := p.ObjectKind(); err != nil || !managed {
		return arn
	}
	return p.Label()
}

// trustsOnly checks a trusts_only expectation: the role's trust policy,
// judged alone — as IAM Access Analyzer judges external access, whatever
// the trusted accounts' own policies say today — admits no principal
// outside the list. A listed account covers its root and every user, role
// and session of it; a listed role covers its sessions. "*" is covered only
// where the trust policy's conditions confine it, by aws:PrincipalAccount or
// aws:PrincipalArn, to listed accounts and principals (every value of the
// test: access.Evaluator.AnyonePinned). A service or a federated provider is never covered: the list
// holds accounts, roles and users.
func trustsOnly(x *model.ExpectConfig, ev *access.Evaluator) model.ExpectationResult {
	r := model.ExpectationResult{Address: x.Address, Source: x.Source}
	names := make([]string, len(x.TrustsOnly))
	accounts, principals := map[string]bool{}, map[string]bool{}
	for i, p := range x.TrustsOnly {
		names[i] = refName(p)
		if p.Kind == model.KindAccount {
			accounts[p.Account] = true
		} else if k, ok := model.ARNKey(p.ARN); ok {
			principals[k.String()] = true
		}
	}
	r.Summary = fmt.Sprintf("the trust policy of %s admits only %s", arnName(x.Role), listOrNobody(names))
	covered := func(arn string) bool {
		if accounts[accountOf(arn)] {
			return true
		}
		k, ok := model.ARNKey(principalOf(arn))
		return ok && principals[k.String()]
	}
	r.Passed = true
	admitted, undecided := ev.TrustSearch(x.Role)
	for _, p := range undecided {
		if p == "*" || accountOf(p) == "" || !covered(p) {
			r.Passed = false
			r.Reasons = append(r.Reasons, fmt.Sprintf("%s is not in the list, and %s", admittedName(p), undecidedReason))
		}
	}
	for _, a := range admitted {
		if a.Principal == "*" {
			pinned, why := ev.AnyonePinned(x.Role, func(acct string) bool { return accounts[acct] }, covered)
			if pinned {
				continue
			}
			r.Passed = false
			r.Reasons = append(r.Reasons, fmt.Sprintf("it admits %s%s, which is not in the list: %s", admittedName(a.Principal), conditions(a), why))
			continue
		} else if accountOf(a.Principal) != "" && covered(a.Principal) {
			continue
		}
		r.Passed = false
		r.Reasons = append(r.Reasons, fmt.Sprintf("it admits %s%s, which is not in the list", admittedName(a.Principal), conditions(a)))
	}
	if r.Passed {
		r.Reasons = append(r.Reasons, "its trust policy names nobody outside the list")
	}
	return r
}

// admittedName names a principal a trust policy admits.
func admittedName(p string) string {
	if acct, ok := model.RootAccount(p); ok {
		return fmt.Sprintf("account %s (any principal its own policies allow)", acct)
	}
	switch {
	case p == "*":
		return `every principal ("*")`
	case accountOf(p) == "":
		return p
	}
	return arnName(p)
}

func listOrNobody(names []string) string {
	if len(names) == 0 {
		return "nobody"
	}
	return strings.Join(names, ", ")
}
