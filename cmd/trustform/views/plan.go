package views

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
)

// Plan renders a plan for people.
func Plan(w io.Writer, p *model.Plan, c Colors) {
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
	if p.Actual != nil && p.Actual.Organization != nil {
		fmt.Fprintf(w, "organization: %s\n", OrganizationText(p.Actual.Organization, p.Accounts))
	}
	fmt.Fprintln(w)
	AccessOutsideNamed(w, p.AccessOutside, AccountNames(p), c)
	AccessChangesNamed(w, p.Access, AccountNames(p), c)
	if len(p.Changes) == 0 {
		fmt.Fprintf(w, "%sNo changes.%s The accounts match the stack.\n", c.Bold, c.Reset)
		return
	}
	Drift(w, p, c)
	fmt.Fprintln(w, "trustform will perform the following actions, in this order:")
	for _, ch := range p.Changes {
		fmt.Fprintln(w)
		change(w, ch, c)
	}
	fmt.Fprintln(w)
	Summary(w, p, c)
	fmt.Fprintf(w, "%sPlan:%s %s.\n", c.Bold, c.Reset, CountsText(p))
}

// OrganizationText describes the organisation a plan read: its ID and
// management account, the guardrail types it evaluates, and the declared
// accounts outside it.
func OrganizationText(o *model.Organization, accounts []model.PlanAccount) string {
	var enabled []string
	if o.SCPs {
		enabled = append(enabled, "SCPs")
	}
	if o.RCPs {
		enabled = append(enabled, "RCPs")
	}
	guards := "no SCPs or RCPs enabled"
	if len(enabled) > 0 {
		guards = strings.Join(enabled, " and ") + " evaluated"
	}
	text := fmt.Sprintf("%s, management account %s; %s", o.ID, o.ManagementAccount, guards)
	var outside []string
	for _, a := range accounts {
		if _, in := o.Paths[a.ID]; !in && !a.External {
			outside = append(outside, a.Name)
		}
	}
	if len(outside) > 0 {
		text += "; not in it: " + strings.Join(outside, ", ")
	}
	return text
}

// CountsText summarises a plan's changes: "1 to add, 0 to change, 0 to
// destroy", with ", 2 to adopt" when it adopts objects.
func CountsText(p *model.Plan) string {
	add, upd, del := p.Counts()
	text := fmt.Sprintf("%d to add, %d to change, %d to destroy", add, upd, del)
	if n := p.Adoptions(); n > 0 {
		text += fmt.Sprintf(", %d to adopt", n)
	}
	return text
}

func sign(a model.Action, c Colors) (string, string) {
	switch a {
	case model.Create:
		return c.Green + "+" + c.Reset, "will be created"
	case model.Update:
		return c.Yellow + "~" + c.Reset, "will be updated in-place"
	case model.Adopt:
		return c.Green + "<" + c.Reset, "will be adopted: the stack takes it over as it is"
	default:
		return c.Red + "-" + c.Reset, "will be destroyed"
	}
}

// Drift writes the section of a plan that lists the objects changed outside
// the stack since it last applied them (model.Drift), as Terraform notes
// objects changed outside of Terraform: the plan below undoes them. It
// writes nothing when there are none.
func Drift(w io.Writer, p *model.Plan, c Colors) {
	var outside []*model.Change
	width := 0
	for _, ch := range p.Changes {
		if ch.Drift.Outside() {
			outside = append(outside, ch)
			width = max(width, len(ch.Address))
		}
	}
	if len(outside) == 0 {
		return
	}
	fmt.Fprintf(w, "%sObjects have changed outside the stack%s since it last applied them:\n", c.Bold, c.Reset)
	for _, ch := range outside {
		fmt.Fprintf(w, "  %s %-*s  %s: %s\n", driftMark(ch.Drift, c), width, ch.Address, driftText[ch.Drift], driftDetail(ch))
	}
	fmt.Fprintln(w, "The plan below undoes these changes. To keep one, declare it in the stack.")
	fmt.Fprintln(w)
}

// driftText words a drift class for people.
var driftText = map[model.Drift]string{
	model.DriftChangedOutside:   "changed outside the stack",
	model.DriftAddedOutside:     "added outside the stack",
	model.DriftDeletedOutside:   "deleted outside the stack",
	model.DriftNoLongerDeclared: "no block declares it any more",
	model.DriftUnknown:          "trustform cannot tell whether it changed outside the stack",
}

// driftMark is what happened outside, as a plan would have marked it.
func driftMark(d model.Drift, c Colors) string {
	switch d {
	case model.DriftAddedOutside:
		return c.Green + "+" + c.Reset
	case model.DriftDeletedOutside:
		return c.Red + "-" + c.Reset
	}
	return c.Yellow + "~" + c.Reset
}

// driftDetail names the object and, for a change, the attributes that differ.
func driftDetail(ch *model.Change) string {
	text := engine.ObjectName(ch)
	if ch.Drift != model.DriftChangedOutside || ch.Kind == model.KindInline {
		return text
	}
	var names []string
	for _, a := range ch.Attrs {
		if !isRecord(a) {
			names = append(names, a.Name)
		}
	}
	if len(names) > 0 {
		text += " (" + strings.Join(names, ", ") + ")"
	}
	return text
}

// headline says what a change does and, where the stack knows it, why.
func headline(ch *model.Change, c Colors) (string, string) {
	s, what := sign(ch.Action, c)
	switch {
	case ch.Drift.Outside():
		what += ": it was " + driftText[ch.Drift]
	case ch.Drift == model.DriftNoLongerDeclared:
		what += ": no block declares it any more"
	case ch.Drift == model.DriftUnknown && ch.Action == model.Delete:
		what += ": no block declares it, and trustform has no record of whether the stack put it there"
	}
	return s, what
}

// isRecord reports whether an attribute is the stack's record of what it
// applied (ownership.AppliedTagKey), which the view shows on one line.
func isRecord(a model.AttrDiff) bool {
	k, ok := strings.CutPrefix(a.Name, "tags.")
	return ok && ownership.IsAppliedTag(k)
}

func change(w io.Writer, ch *model.Change, c Colors) {
	s, what := headline(ch, c)
	fmt.Fprintf(w, "  %s# %s %s%s\n", c.Bold, ch.Address, what, c.Reset)
	fmt.Fprintf(w, "  %s %s in %s (%s) {\n", s, engine.ObjectName(ch), ch.Account.Name, ch.Account.ID)
	if engine.IsAccessRecordAddress(ch.Address) {
		// Its statements mean nothing to a reader; the JSON plan has them.
		accessRecordLine(w, ch, c)
		fmt.Fprintln(w, "    }")
		return
	}
	width := 0
	for _, a := range ch.Attrs {
		if !isRecord(a) {
			width = max(width, len(a.Name))
		}
	}
	var record *model.AttrDiff
	for _, a := range ch.Attrs {
		if isRecord(a) {
			if record == nil || a.Name == "tags."+ownership.AppliedTagKey {
				record = &a
			}
			continue
		}
		attr(w, ch.Action, a, width, c)
	}
	if record != nil {
		recordLine(w, ch.Action, *record, c)
	}
	if ch.Action == model.Adopt && len(ch.Attrs) == 0 {
		fmt.Fprintf(w, "      %s# unchanged; the stack's adoption ledger records it%s\n", c.Dim, c.Reset)
	}
	fmt.Fprintln(w, "    }")
}

// recordLine shows the record tag compactly: its hashes mean nothing to a
// reader, only that the stack records what it applies.
func recordLine(w io.Writer, action model.Action, a model.AttrDiff, c Colors) {
	name := "tags." + ownership.AppliedTagKey
	switch {
	case a.After == "" && action != model.Create:
		fmt.Fprintf(w, "      %s %s%s\n", c.Red+"-"+c.Reset, name, nullSuffix(action, c))
	case a.Before == "" && action != model.Delete:
		fmt.Fprintf(w, "      %s %s %s(the stack's record of what it applied)%s\n", c.Green+"+"+c.Reset, name, c.Dim, c.Reset)
	default:
		fmt.Fprintf(w, "      %s %s %s(the stack's record of what it applied, updated)%s\n", c.Yellow+"~"+c.Reset, name, c.Dim, c.Reset)
	}
}

func attr(w io.Writer, action model.Action, a model.AttrDiff, width int, c Colors) {
	plus, minus, tilde := c.Green+"+"+c.Reset, c.Red+"-"+c.Reset, c.Yellow+"~"+c.Reset
	if a.IsPolicy {
		policyAttr(w, a, width, c)
		return
	}
	switch {
	case a.Before == "" && action != model.Delete:
		fmt.Fprintf(w, "      %s %-*s = %s\n", plus, width, a.Name, value(a.After))
	case a.After == "" && action != model.Create:
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

func nullSuffix(action model.Action, c Colors) string {
	if action == model.Update {
		return c.Dim + " -> null" + c.Reset
	}
	return ""
}

// policyAttr renders a policy document as its statements. On an update it
// shows the statements removed and added, comparing canonical forms so that
// reordering or rewriting a statement equivalently shows no difference.
func policyAttr(w io.Writer, a model.AttrDiff, width int, c Colors) {
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

// accessRecordLine sums up a change of the stack's access record: how many
// roles and assumers it records, written after every other change.
func accessRecordLine(w io.Writer, ch *model.Change, c Colors) {
	if ch.Action == model.Delete {
		fmt.Fprintf(w, "      %s# the stack's record of who can assume its roles, no longer kept%s\n", c.Dim, c.Reset)
		return
	}
	p, _ := ch.After.(*model.ManagedPolicy)
	if p == nil {
		return
	}
	roles, assumers := map[string]bool{}, 0
	for _, e := range ownership.AccessRecordEntries(p.Document) {
		roles[e.Role] = true
		if e.Principal != "" {
			assumers++
		}
	}
	fmt.Fprintf(w, "      %s# the stack's record of who can assume its roles once this plan is applied: %s, %s; written after every other change%s\n",
		c.Dim, fmt.Sprintf("%d role%s", len(roles), plural(len(roles))), fmt.Sprintf("%d assumer%s", assumers, plural(assumers)), c.Reset)
}
