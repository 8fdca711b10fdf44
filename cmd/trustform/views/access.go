package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// AccessChanges renders who gains and who loses the ability to assume which
// role: the first thing a reviewer asks of a plan, so it comes above the
// object changes. Accounts are shown by their id; AccessChangesNamed also
// gives their declared names.
func AccessChanges(w io.Writer, changes []model.AccessChange, c Colors) {
	AccessChangesNamed(w, changes, nil, c)
}

// AccessChangesNamed is AccessChanges with the declared accounts' names, by
// id, for the delegations.
func AccessChangesNamed(w io.Writer, changes []model.AccessChange, names map[string]string, c Colors) {
	if len(changes) == 0 {
		return
	}
	fmt.Fprintf(w, "%sAccess changes%s (who can assume which role, now → after this plan):\n", c.Bold, c.Reset)
	accessLines(w, changes, names, c)
	for _, ch := range changes {
		if ch.Broadens() {
			fmt.Fprintf(w, "%sThis plan broadens access.%s\n", c.Bold, c.Reset)
			break
		}
	}
	fmt.Fprintln(w)
}

// AccessOutsideNamed shows who gained or lost the ability to assume the
// stack's roles since its last complete apply, without the stack: the
// accounts as they are against the stack's access record. Nothing in the
// plan caused them, and applying the plan does not undo them.
func AccessOutsideNamed(w io.Writer, changes []model.AccessChange, names map[string]string, c Colors) {
	if len(changes) == 0 {
		return
	}
	fmt.Fprintf(w, "%sAccess changed outside the stack%s since its last apply (who can assume which role, then → now; not caused by this stack):\n", c.Bold, c.Reset)
	accessLines(w, changes, names, c)
	fmt.Fprintf(w, "%sThe stack did not make these changes:%s an SCP or RCP, a permissions boundary or a policy it does not own changed. Applying records them; it does not undo them.\n\n", c.Bold, c.Reset)
}

// accessLines writes one line per access change.
func accessLines(w io.Writer, changes []model.AccessChange, names map[string]string, c Colors) {
	for _, ch := range changes {
		if ch.IsDelegation() {
			sign, color := "~", c.Yellow
			switch {
			case !ch.CanBefore:
				sign, color = "+", c.Green
			case !ch.CanAfter:
				sign, color = "-", c.Red
			}
			fmt.Fprintf(w, "  %s%s%s %s\n", color, sign, c.Reset, DelegationText(ch, names))
			continue
		}
		who, role := ch.Principal.Label(), ch.Role.Label()
		switch {
		case !ch.CanBefore:
			fmt.Fprintf(w, "  %s+%s %s can assume %s%s\n", c.Green, c.Reset, who, role, conditionText(ch.After))
		case !ch.CanAfter:
			fmt.Fprintf(w, "  %s-%s %s can no longer assume %s\n", c.Red, c.Reset, who, role)
		default:
			fmt.Fprintf(w, "  %s~%s %s can assume %s%s, before%s\n", c.Yellow, c.Reset, who, role, conditionText(ch.After), conditionText(ch.Before))
		}
	}
}

// DelegationText says what a delegation change means, in one sentence:
// "account "sandbox" (222222222222) may now let its principals assume role
// "X" in 999999999999 with no condition; today: nobody".
func DelegationText(ch model.AccessChange, names map[string]string) string {
	role := ch.Role.Label()
	subject, verb := delegateLabel(ch.Principal, names), "assume"
	if ch.Principal.Kind != model.PrincipalAnyone {
		verb = "let its principals assume"
	}
	var b strings.Builder
	switch {
	case !ch.CanBefore:
		fmt.Fprintf(&b, "%s may now %s %s%s", subject, verb, role, conditionText(ch.After))
	case !ch.CanAfter:
		fmt.Fprintf(&b, "%s may no longer %s %s", subject, verb, role)
	default:
		fmt.Fprintf(&b, "%s may %s %s%s, before%s", subject, verb, role, conditionText(ch.After), conditionText(ch.Before))
	}
	b.WriteString(todayText(ch))
	return b.String()
}

// todayText says who in a delegation's account can assume the role: after
// the plan, or until now for a delegation that ends.
func todayText(ch model.AccessChange) string {
	var b strings.Builder
	when := "today"
	if !ch.CanAfter {
		when = "until now"
	}
	switch {
	case !ch.TodayKnown:
		fmt.Fprintf(&b, "; %s: unknown, account %s is not read (its own policies decide)", when, ch.Principal.Account)
	case len(ch.Today) == 0:
		fmt.Fprintf(&b, "; %s: nobody", when)
	default:
		where := ""
		if ch.Principal.Kind == model.PrincipalAnyone {
			where = " in the accounts read"
		}
		fmt.Fprintf(&b, "; %s%s: %s", when, where, principalList(ch.Today, 5))
	}
	return b.String()
}

// principalList names at most max principals, then how many more.
func principalList(principals []model.Principal, max int) string {
	var parts []string
	for i, p := range principals {
		if i == max {
			parts = append(parts, fmt.Sprintf("and %d more", len(principals)-max))
			break
		}
		parts = append(parts, p.Label())
	}
	return strings.Join(parts, ", ")
}

func conditionText(conds []string) string {
	if len(conds) == 0 {
		return " with no condition"
	}
	return " " + strings.Join(conds, " and ")
}

// AccountNames maps the plan's accounts' ids to their declared names.
func AccountNames(p *model.Plan) map[string]string {
	out := map[string]string{}
	for _, a := range p.Accounts {
		out[a.ID] = a.Name
	}
	return out
}

// delegateLabel names the delegate of a delegation: an account, by its
// declared name when it has one, or anyone.
func delegateLabel(principal model.Principal, names map[string]string) string {
	if principal.Kind == model.PrincipalAnyone {
		return principal.Label()
	}
	acct := principal.Account
	if n := names[acct]; n != "" {
		return fmt.Sprintf("account %q (%s)", n, acct)
	}
	return "account " + acct
}
