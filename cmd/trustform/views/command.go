package views

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/planfile"
)

// One view per command, in the three forms a command's answer takes —
// human, JSON and markdown — chosen once from the flags (the shape of
// terraform's views.NewPlan(viewType, view)): a command computes its answer
// and hands it to its view, and never asks again which form it writes.

// ViewType is the form a command writes its answer in.
type ViewType string

// The forms.
const (
	ViewHuman    ViewType = "human"
	ViewJSON     ViewType = "json"
	ViewMarkdown ViewType = "markdown"
)

// ParseViewType reads a -format value (with -json, which means json); the
// allowed forms are those the command has.
func ParseViewType(format string, asJSON bool, allowed ...ViewType) (ViewType, error) {
	if asJSON {
		format = string(ViewJSON)
	}
	var names []string
	for _, a := range allowed {
		if string(a) == format {
			return a, nil
		}
		names = append(names, string(a))
	}
	return "", fmt.Errorf("-format must be %s, not %q", orList(names), format)
}

func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// writeJSON writes one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// PlanView shows a plan: the human plan with its expectations, the JSON
// plan document, or the markdown plan for a pull request.
type PlanView interface {
	Show(p *model.Plan, doc planfile.Document) error
}

// NewPlan returns the plan view of a form.
func NewPlan(vt ViewType, w io.Writer, c Colors) PlanView {
	switch vt {
	case ViewJSON:
		return jsonPlan{w}
	case ViewMarkdown:
		return markdownPlan{w}
	}
	return humanPlan{w, c}
}

type humanPlan struct {
	w io.Writer
	c Colors
}

func (v humanPlan) Show(p *model.Plan, _ planfile.Document) error {
	Plan(v.w, p, v.c)
	Expectations(v.w, p.Expectations, v.c)
	return nil
}

type jsonPlan struct{ w io.Writer }

func (v jsonPlan) Show(_ *model.Plan, doc planfile.Document) error { return planfile.Encode(v.w, doc) }

type markdownPlan struct{ w io.Writer }

func (v markdownPlan) Show(p *model.Plan, _ planfile.Document) error {
	Markdown(v.w, p)
	return nil
}

// AnswerFormatVersion is the version of the explain and who-can JSON
// documents. Like the plan's, fields are added, never changed or removed,
// within a version.
const AnswerFormatVersion = "1"

// Explanation is explain's answer: the request, the state it was asked of
// and the evaluator's result.
type Explanation struct {
	Request access.Request
	State   string
	Result  access.Result
}

// ExplainView shows an explanation.
type ExplainView interface {
	Show(x Explanation) error
}

// NewExplain returns the explain view of a form (human or JSON).
func NewExplain(vt ViewType, w io.Writer, c Colors) ExplainView {
	if vt == ViewJSON {
		return jsonExplain{w}
	}
	return humanExplain{w, c}
}

type humanExplain struct {
	w io.Writer
	c Colors
}

func (v humanExplain) Show(x Explanation) error {
	fmt.Fprintf(v.w, "May %s perform %s on %s?\nstate: %s\n\n", x.Request.Principal, x.Request.Action, x.Request.Resource, x.State)
	verdict := v.c.Green + "allow" + v.c.Reset
	if !x.Result.Allowed {
		verdict = v.c.Red + x.Result.Decision + v.c.Reset
	}
	fmt.Fprintf(v.w, "%sDecision:%s %s\n", v.c.Bold, v.c.Reset, verdict)
	for _, r := range x.Result.Reasons {
		fmt.Fprintf(v.w, "  %s: %s%s%s\n", r.Effect, r.Policy, prefixed(", ", r.Statement), prefixed(": ", r.Detail))
	}
	caveats(v.w, x.Result.Caveats)
	return nil
}

// ExplainDocument is explain -json: versioned, like the plan document.
type ExplainDocument struct {
	FormatVersion string          `json:"format_version"`
	Decision      string          `json:"decision"` // "allow" or "deny"
	Detail        string          `json:"detail"`   // allow, explicit deny or implicit deny
	Reasons       []access.Reason `json:"reasons"`
	NotEvaluated  []string        `json:"not_evaluated"`
	Request       ExplainRequest  `json:"request"`
	State         string          `json:"state"`
}

// ExplainRequest is the request explain was asked, as given.
type ExplainRequest struct {
	Principal string              `json:"principal"`
	Action    string              `json:"action"`
	Resource  string              `json:"resource"`
	Context   map[string][]string `json:"context"`
}

type jsonExplain struct{ w io.Writer }

func (v jsonExplain) Show(x Explanation) error {
	decision := "deny"
	if x.Result.Allowed {
		decision = "allow"
	}
	ctx := x.Request.Context
	if ctx == nil {
		ctx = map[string][]string{}
	}
	return writeJSON(v.w, ExplainDocument{
		FormatVersion: AnswerFormatVersion, Decision: decision, Detail: x.Result.Decision,
		Reasons: nonNil(x.Result.Reasons), NotEvaluated: nonNil(x.Result.Caveats),
		Request: ExplainRequest{Principal: x.Request.Principal, Action: x.Request.Action, Resource: x.Request.Resource, Context: ctx},
		State:   x.State,
	})
}

// WhoCanAnswer is who-can assume's answer.
type WhoCanAnswer struct {
	Role     string
	State    string
	Assumers []access.Assumer
	// Undecided are the principals the search was cut before it could
	// decide for.
	Undecided []string
	Caveats   []string
}

// WhoCanView shows who can assume a role.
type WhoCanView interface {
	Show(a WhoCanAnswer) error
}

// NewWhoCan returns the who-can view of a form (human or JSON).
func NewWhoCan(vt ViewType, w io.Writer) WhoCanView {
	if vt == ViewJSON {
		return jsonWhoCan{w}
	}
	return humanWhoCan{w}
}

type humanWhoCan struct{ w io.Writer }

func (v humanWhoCan) Show(a WhoCanAnswer) error {
	fmt.Fprintf(v.w, "Who can assume %s?\nstate: %s\n\n", a.Role, a.State)
	switch {
	case len(a.Assumers) == 0 && len(a.Undecided) > 0:
		fmt.Fprintf(v.w, "Nobody found, but the search could not decide for: %s\n", strings.Join(a.Undecided, ", "))
	case len(a.Assumers) == 0:
		fmt.Fprintln(v.w, "Nobody: no principal of the declared accounts, and none that the trust policy names outside them.")
	}
	for _, as := range a.Assumers {
		cond := ""
		if len(as.Conditions) > 0 {
			cond = "  (" + strings.Join(as.Conditions, ", ") + ")"
		}
		fmt.Fprintf(v.w, "  %s%s\n", as.Principal, cond)
	}
	caveats(v.w, a.Caveats)
	return nil
}

// WhoCanDocument is who-can assume -json: versioned, like the plan document.
type WhoCanDocument struct {
	FormatVersion string          `json:"format_version"`
	Role          string          `json:"role"`
	State         string          `json:"state"`
	Principals    []WhoCanAssumer `json:"principals"`
	Undecided     []string        `json:"undecided"`
	NotEvaluated  []string        `json:"not_evaluated"`
}

// WhoCanAssumer is one principal that can assume the role, and under which
// conditions; Context is the request context of the search that allowed it.
type WhoCanAssumer struct {
	Principal  string              `json:"principal"`
	Conditions []string            `json:"conditions"`
	Context    map[string][]string `json:"context,omitempty"`
}

type jsonWhoCan struct{ w io.Writer }

func (v jsonWhoCan) Show(a WhoCanAnswer) error {
	list := []WhoCanAssumer{}
	for _, as := range a.Assumers {
		list = append(list, WhoCanAssumer{as.Principal, nonNil(as.Conditions), as.Context})
	}
	return writeJSON(v.w, WhoCanDocument{FormatVersion: AnswerFormatVersion, Role: a.Role, State: a.State, Principals: list,
		Undecided: nonNil(a.Undecided), NotEvaluated: nonNil(a.Caveats)})
}

// nonNil makes an empty list a JSON [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// caveats lists what was not evaluated under the answer.
func caveats(w io.Writer, list []string) {
	if len(list) == 0 {
		return
	}
	fmt.Fprintln(w, "\nNot evaluated, and could change the answer:")
	for _, c := range list {
		fmt.Fprintf(w, "  - %s\n", c)
	}
}
