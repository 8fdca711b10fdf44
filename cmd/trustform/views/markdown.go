package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// Markdown renders a plan for a pull-request comment: the summary and the
// access changes first (what a reviewer decides on), then the expectations,
// then one collapsible section per account holding its changes in the
// human form, inside a diff block so that + and - lines are coloured.
func Markdown(w io.Writer, p *model.Plan) {
	verb := "Plan"
	if p.Destroy {
		verb = "Destroy plan"
	}
	fmt.Fprintf(w, "### trustform %s for stack `%s`\n\n", strings.ToLower(verb), p.Stack)
	fmt.Fprintf(w, "**%s** on %s.\n\n", CountsText(p), p.Target)
	switch {
	case !p.Applicable():
		fmt.Fprintf(w, "> [!CAUTION]\n> Expectations fail: this plan cannot be applied.\n\n")
	case p.Broadening():
		fmt.Fprintf(w, "> [!WARNING]\n> This plan broadens access.\n\n")
	}
	if len(p.AccessOutside) > 0 {
		fmt.Fprintln(w, "#### Access changed outside the stack since its last apply")
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Not caused by this stack (an SCP or RCP, a permissions boundary or a policy it does not own); applying records them, it does not undo them. Before: the stack's record; after: now.")
		fmt.Fprintln(w)
		accessTable(w, p, p.AccessOutside)
		fmt.Fprintln(w)
	}
	if len(p.Access) > 0 {
		fmt.Fprintln(w, "#### Access changes")
		fmt.Fprintln(w)
		accessTable(w, p, p.Access)
		fmt.Fprintln(w)
	}
	if len(p.Expectations) > 0 {
		fmt.Fprintln(w, "#### Expectations")
		fmt.Fprintln(w)
		for _, x := range p.Expectations {
			mark := "✅"
			if !x.Passed {
				mark = "❌"
			}
			fmt.Fprintf(w, "- %s `%s`: %s\n", mark, x.Address, cell(x.Summary))
			if !x.Passed {
				for _, r := range x.Reasons {
					fmt.Fprintf(w, "  - %s\n", cell(r))
				}
			}
		}
		fmt.Fprintln(w)
	}
	if len(p.Changes) == 0 {
		fmt.Fprintln(w, "No changes. The accounts match the stack.")
		return
	}
	markdownDrift(w, p)
	for _, a := range p.Accounts {
		var changes []*model.Change
		for _, c := range p.Changes {
			if c.Account.ID == a.ID {
				changes = append(changes, c)
			}
		}
		if len(changes) == 0 {
			continue
		}
		fmt.Fprintf(w, "<details><summary>%s (%s): %d change%s</summary>\n\n```diff\n", a.Name, a.ID, len(changes), plural(len(changes)))
		for i, c := range changes {
			if i > 0 {
				fmt.Fprintln(w)
			}
			change(w, c, Colors{})
		}
		fmt.Fprintf(w, "```\n\n</details>\n\n")
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// cell keeps text from breaking a Markdown table or list.
// cell makes text safe in a GitHub-flavoured markdown table cell: conditions
// carry wildcards and underscores ("repo:my-org/app:*"), which would
// otherwise turn into emphasis, and a "<" could open an HTML tag.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", `\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;").Replace(s)
}

// markdownDrift lists the objects changed outside the stack since it last
// applied them, above the changes that undo them, as the human view does.
func markdownDrift(w io.Writer, p *model.Plan) {
	var outside []*model.Change
	for _, ch := range p.Changes {
		if ch.Drift.Outside() {
			outside = append(outside, ch)
		}
	}
	if len(outside) == 0 {
		return
	}
	fmt.Fprintln(w, "#### Changed outside the stack")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Since the stack last applied them; the plan below undoes these changes. To keep one, declare it in the stack.")
	fmt.Fprintln(w)
	for _, ch := range outside {
		fmt.Fprintf(w, "- `%s`: %s: %s\n", ch.Address, driftText[ch.Drift], cell(driftDetail(ch)))
	}
	fmt.Fprintln(w)
}

// accessTable is a table of access changes.
func accessTable(w io.Writer, p *model.Plan, changes []model.AccessChange) {
	fmt.Fprintln(w, "| | principal | role | conditions |")
	fmt.Fprintln(w, "|---|---|---|---|")
	names := AccountNames(p)
	for _, a := range changes {
		if a.IsDelegation() {
			mark := "delegation changes"
			switch {
			case !a.CanBefore:
				mark = "➕ delegates"
			case !a.CanAfter:
				mark = "➖ stops delegating"
			}
			conds := strings.TrimSpace(conditionText(a.After))
			switch {
			case !a.CanAfter:
				conds = ""
			case a.CanBefore:
				conds = strings.TrimSpace(conditionText(a.Before)) + " → " + conds
			}
			detail := strings.TrimPrefix(conds+todayText(a), "; ")
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mark, cell(delegateLabel(a.Principal, names)), cell(a.Role.Label()), cell(detail))
			continue
		}
		mark, conds := "~", conditionText(a.After)
		switch {
		case !a.CanBefore:
			mark = "➕ gains"
		case !a.CanAfter:
			mark, conds = "➖ loses", ""
		default:
			mark, conds = "changes", strings.TrimSpace(conditionText(a.Before))+" → "+strings.TrimSpace(conditionText(a.After))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mark, cell(a.Principal.Label()), cell(a.Role.Label()), cell(strings.TrimSpace(conds)))
	}
}
