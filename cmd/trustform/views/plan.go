package views

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
)

// Plan renders a plan for people.
func Plan(w io.Writer, p *engine.Plan, c Colors) {
	verb := "plan"
	if p.Destroy {
		verb = "destroy plan"
	}
	fmt.Fprintf(w, "%strustform %s%s for stack %q\n", c.Bold, verb, c.Reset, p.Stack)
	fmt.Fprintf(w, "target: %s\n", p.Target)
	width := 0
	for _, a := range p.Accounts {
		width = max(width, len(a.Name))
	}
	fmt.Fprintln(w, "accounts:")
	for _, a := range p.Accounts {
		if a.External {
			fmt.Fprintf(w, "  %-*s  %s  external: named in trust policies, never read or changed\n", width, a.Name, a.ID)
			continue
		}
		fmt.Fprintf(w, "  %-*s  %s  as %s\n", width, a.Name, a.ID, a.Identity)
	}
	fmt.Fprintln(w)
	AccessChangesNamed(w, p.Access, AccountNames(p), c)
	if len(p.Changes) == 0 {
		fmt.Fprintf(w, "%sNo changes.%s The accounts match the stack.\n", c.Bold, c.Reset)
		return
	}
	fmt.Fprintln(w, "trustform will perform the following actions, in this order:")
	for _, ch := range p.Changes {
		fmt.Fprintln(w)
		change(w, ch, c)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%sPlan:%s %s.\n", c.Bold, c.Reset, CountsText(p))
}

// CountsText summarises a plan's changes: "1 to add, 0 to change, 0 to
// destroy", with ", 2 to adopt" when it adopts objects.
func CountsText(p *engine.Plan) string {
	add, upd, del := p.Counts()
	text := fmt.Sprintf("%d to add, %d to change, %d to destroy", add, upd, del)
	if n := p.Adoptions(); n > 0 {
		text += fmt.Sprintf(", %d to adopt", n)
	}
	return text
}

func sign(a engine.Action, c Colors) (string, string) {
	switch a {
	case engine.Create:
		return c.Green + "+" + c.Reset, "will be created"
	case engine.Update:
		return c.Yellow + "~" + c.Reset, "will be updated in-place"
	case engine.Adopt:
		return c.Green + "<" + c.Reset, "will be adopted: the stack takes it over as it is"
	default:
		return c.Red + "-" + c.Reset, "will be destroyed"
	}
}

func change(w io.Writer, ch *engine.Change, c Colors) {
	s, what := sign(ch.Action, c)
	if ch.Action == engine.Delete && ch.Block == "" && !engine.IsLedgerAddress(ch.Address) {
		what += " (no block declares it)"
	}
	fmt.Fprintf(w, "  %s# %s %s%s\n", c.Bold, ch.Address, what, c.Reset)
	fmt.Fprintf(w, "  %s %s in %s (%s) {\n", s, engine.ObjectName(ch), ch.Account.Name, ch.Account.ID)
	width := 0
	for _, a := range ch.Attrs {
		width = max(width, len(a.Name))
	}
	for _, a := range ch.Attrs {
		attr(w, ch.Action, a, width, c)
	}
	if ch.Action == engine.Adopt && len(ch.Attrs) == 0 {
		fmt.Fprintf(w, "      %s# unchanged; the stack's adoption ledger records it%s\n", c.Dim, c.Reset)
	}
	fmt.Fprintln(w, "    }")
}

func attr(w io.Writer, action engine.Action, a engine.AttrDiff, width int, c Colors) {
	plus, minus, tilde := c.Green+"+"+c.Reset, c.Red+"-"+c.Reset, c.Yellow+"~"+c.Reset
	if a.IsPolicy {
		policyAttr(w, a, width, c)
		return
	}
	switch {
	case a.Before == "" && action != engine.Delete:
		fmt.Fprintf(w, "      %s %-*s = %s\n", plus, width, a.Name, value(a.After))
	case a.After == "" && action != engine.Create:
		fmt.Fprintf(w, "      %s %-*s = %s%s\n", minus, width, a.Name, value(a.Before), nullSuffix(action, c))
	default:
		fmt.Fprintf(w, "      %s %-*s = %s -> %s\n", tilde, width, a.Name, value(a.Before), value(a.After))
	}
}

// value shows numbers bare and everything else quoted, as HCL would.
func value(v string) string {
	if _, err := strconv.Atoi(v); err == nil {
		return v
	}
	return strconv.Quote(v)
}

func nullSuffix(action engine.Action, c Colors) string {
	if action == engine.Update {
		return c.Dim + " -> null" + c.Reset
	}
	return ""
}

// policyAttr renders a policy document as its statements. On an update it
// shows the statements removed and added, comparing canonical forms so that
// reordering or rewriting a statement equivalently shows no difference.
func policyAttr(w io.Writer, a engine.AttrDiff, width int, c Colors) {
	before, after := statements(a.Before), statements(a.After)
	mark := c.Yellow + "~" + c.Reset
	switch {
	case a.Before == "":
		mark = c.Green + "+" + c.Reset
	case a.After == "":
		mark = c.Red + "-" + c.Reset
	}
	fmt.Fprintf(w, "      %s %-*s = [\n", mark, width, a.Name)
	inAfter := map[string]bool{}
	for _, s := range after {
		inAfter[s.key] = true
	}
	inBefore := map[string]bool{}
	unchanged := 0
	for _, s := range before {
		inBefore[s.key] = true
		if !inAfter[s.key] {
			block(w, c.Red+"-"+c.Reset, s.text)
		} else {
			unchanged++
		}
	}
	for _, s := range after {
		if !inBefore[s.key] {
			block(w, c.Green+"+"+c.Reset, s.text)
		}
	}
	if unchanged > 0 && a.Before != "" && a.After != "" {
		noun := "statements"
		if unchanged == 1 {
			noun = "statement"
		}
		fmt.Fprintf(w, "          %s# (%d unchanged %s hidden)%s\n", c.Dim, unchanged, noun, c.Reset)
	}
	fmt.Fprintln(w, "        ]")
}

type stmt struct{ key, text string }

// statements splits a document into its statements, each matched across
// versions by its canonical key and shown as the language's own statement
// block, in the order and spelling of the document. A document that does not
// parse is shown whole.
func statements(doc string) []stmt {
	if doc == "" {
		return nil
	}
	d, err := policy.Parse(doc)
	if err != nil {
		return []stmt{{key: doc, text: doc}}
	}
	out := make([]stmt, 0, len(d.Statements))
	for _, s := range d.Statements {
		out = append(out, stmt{key: s.Key(), text: statementText(s)})
	}
	return out
}

// statementText renders a statement the way the stack's HCL writes one.
func statementText(s policy.Statement) string {
	type attr struct{ name, value string }
	var attrs []attr
	if s.Sid != "" {
		attrs = append(attrs, attr{"sid", strconv.Quote(s.Sid)})
	}
	attrs = append(attrs, attr{"effect", strconv.Quote(s.Effect)})
	if s.Principals != nil {
		attrs = append(attrs, attr{"principals", principalText(s.Principals)})
	}
	if s.NotPrincipals != nil {
		attrs = append(attrs, attr{"not_principals", principalText(s.NotPrincipals)})
	}
	for _, l := range []attr{{"actions", ""}, {"not_actions", ""}, {"resources", ""}, {"not_resources", ""}} {
		v := map[string][]string{"actions": s.Actions, "not_actions": s.NotActions, "resources": s.Resources, "not_resources": s.NotResources}[l.name]
		if v != nil {
			attrs = append(attrs, attr{l.name, listText(v)})
		}
	}
	width := 0
	for _, a := range attrs {
		width = max(width, len(a.name))
	}
	var b strings.Builder
	b.WriteString("statement {\n")
	for _, a := range attrs {
		fmt.Fprintf(&b, "  %-*s = %s\n", width, a.name, a.value)
	}
	for _, op := range sortedKeys(s.Conditions) {
		for _, key := range sortedKeys(s.Conditions[op]) {
			fmt.Fprintf(&b, "  condition { test = %q, variable = %q, values = %s }\n", op, key, listText(s.Conditions[op][key]))
		}
	}
	b.WriteString("}")
	return b.String()
}

func listText(v []string) string {
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func principalText(p map[string][]string) string {
	if v, ok := p["*"]; ok && len(v) == 0 {
		return `"*"`
	}
	parts := make([]string, 0, len(p))
	for _, k := range sortedKeys(p) {
		parts = append(parts, k+" = "+listText(p[k]))
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

func block(w io.Writer, mark, text string) {
	for _, line := range strings.Split(text, "\n") {
		fmt.Fprintf(w, "          %s %s\n", mark, line)
	}
}
