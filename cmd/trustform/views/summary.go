package views

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// SummaryThreshold is the number of changes from which a plan ends with a
// summary by kind and by account: a plan of thousands of changes across
// hundreds of accounts scrolls past any reader, and the summary is what a
// reviewer checks it against ("14 to add in each of the 1,000 accounts").
// Smaller plans read whole, as they did.
const SummaryThreshold = 50

// Summary writes the summary of a plan of SummaryThreshold changes or more:
// the changes counted by kind, then the accounts grouped by what the plan
// does in each, so that a thousand accounts changed alike make one line.
func Summary(w io.Writer, p *model.Plan, c Colors) {
	if len(p.Changes) < SummaryThreshold {
		return
	}
	type counts struct{ add, change, destroy, adopt int }
	bump := func(n *counts, a model.Action) {
		switch a {
		case model.Create:
			n.add++
		case model.Update:
			n.change++
		case model.Delete:
			n.destroy++
		case model.Adopt:
			n.adopt++
		}
	}
	byKind := map[model.Kind]*counts{}
	var kinds []model.Kind
	byAccount := map[string]map[model.Kind]*counts{}
	var accounts []string
	for _, ch := range p.Changes {
		if byKind[ch.Kind] == nil {
			byKind[ch.Kind] = &counts{}
			kinds = append(kinds, ch.Kind)
		}
		bump(byKind[ch.Kind], ch.Action)
		name := ch.Account.Name
		if byAccount[name] == nil {
			byAccount[name] = map[model.Kind]*counts{}
			accounts = append(accounts, name)
		}
		if byAccount[name][ch.Kind] == nil {
			byAccount[name][ch.Kind] = &counts{}
		}
		bump(byAccount[name][ch.Kind], ch.Action)
	}
	slices.Sort(kinds)
	fmt.Fprintf(w, "%sSummary%s of the %s changes:\n\n", c.Bold, c.Reset, thousands(len(p.Changes)))
	fmt.Fprintf(w, "  %-14s %8s %8s %8s %8s\n", "kind", "add", "change", "destroy", "adopt")
	for _, k := range kinds {
		n := byKind[k]
		fmt.Fprintf(w, "  %-14s %8s %8s %8s %8s\n", k, thousands(n.add), thousands(n.change), thousands(n.destroy), thousands(n.adopt))
	}
	fmt.Fprintln(w)

	// Accounts whose changes count the same, kind by kind, share a line.
	profile := func(name string) string {
		var parts []string
		for _, k := range kinds {
			n := byAccount[name][k]
			if n == nil {
				continue
			}
			for _, x := range []struct {
				n    int
				verb string
			}{{n.add, "add"}, {n.change, "change"}, {n.destroy, "destroy"}, {n.adopt, "adopt"}} {
				if x.n > 0 {
					parts = append(parts, fmt.Sprintf("%s %s to %s", thousands(x.n), kindNoun(k, x.n), x.verb))
				}
			}
		}
		return strings.Join(parts, ", ")
	}
	groups := map[string][]string{}
	var order []string
	for _, a := range accounts {
		pr := profile(a)
		if groups[pr] == nil {
			order = append(order, pr)
		}
		groups[pr] = append(groups[pr], a)
	}
	// The largest groups first: the rule, then its exceptions.
	slices.SortStableFunc(order, func(a, b string) int { return len(groups[b]) - len(groups[a]) })
	fmt.Fprintf(w, "  by account (%s %s changed):\n", thousands(len(accounts)), "account"+plural(len(accounts)))
	for _, pr := range order {
		names := groups[pr]
		fmt.Fprintf(w, "    %s: %s\n", accountList(names), pr)
	}
	fmt.Fprintln(w)
}

// accountList names up to four accounts, or three and how many more.
func accountList(names []string) string {
	const shown = 3
	if len(names) == 1 {
		return names[0]
	}
	if len(names) <= shown+1 {
		return fmt.Sprintf("%d accounts (%s)", len(names), strings.Join(names, ", "))
	}
	text := fmt.Sprintf("%s %s (%s", thousands(len(names)), "accounts", strings.Join(names[:shown], ", "))
	{
		text += fmt.Sprintf(" and %s more", thousands(len(names)-shown))
	}
	return text + ")"
}

// kindNoun is a kind as a noun, in the plural when n is not 1.
func kindNoun(k model.Kind, n int) string {
	noun := strings.ReplaceAll(string(k), "_", " ")
	if n == 1 {
		return noun
	}
	switch {
	case strings.HasSuffix(noun, "policy"):
		return strings.TrimSuffix(noun, "y") + "ies"
	case strings.HasSuffix(noun, "s"):
		return noun
	}
	return noun + "s"
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
