package views

import (
	"fmt"
	"io"

	"github.com/trustform/trustform/engine/model"
)

// LintView shows what lint found in a stack.
type LintView interface {
	Show(stack string, findings []model.Finding) error
}

// NewLint returns the lint view of a form (human or JSON).
func NewLint(vt ViewType, w io.Writer) LintView {
	if vt == ViewJSON {
		return jsonLint{w}
	}
	return humanLint{w}
}

type humanLint struct{ w io.Writer }

func (v humanLint) Show(stack string, findings []model.Finding) error {
	if len(findings) == 0 {
		_, err := fmt.Fprintf(v.w, "No findings in stack %q.\n", stack)
		return err
	}
	Findings(v.w, findings)
	return nil
}

// LintDocument is lint -json.
type LintDocument struct {
	FormatVersion string          `json:"format_version"`
	Findings      []model.Finding `json:"findings"`
}

type jsonLint struct{ w io.Writer }

func (v jsonLint) Show(_ string, findings []model.Finding) error {
	return writeJSON(v.w, LintDocument{FormatVersion: "1", Findings: nonNil(findings)})
}

// Findings prints findings one per line with the fix under each, as
// compilers print warnings.
func Findings(w io.Writer, findings []model.Finding) {
	for _, f := range findings {
		fmt.Fprintf(w, "%s: %s %s %s: %s: %s\n", position(f.Source), f.Severity, f.ID, f.Rule, f.Address, f.Message)
		fmt.Fprintf(w, "  fix: %s\n", f.Hint)
	}
}

// findingsShownPerRule is how many findings of one rule a warning shows
// when a stack has more than findingsShownWhole findings: a plan of a
// thousand accounts generated from one pattern finds the same thing a
// thousand times, and the plan should not drown in it.
const (
	findingsShownWhole   = 20
	findingsShownPerRule = 3
)

// FindingsBrief prints findings as Findings does when there are a few, and
// otherwise the first findingsShownPerRule of each rule and how many more
// there are: the warning before a plan, not the lint report (which lists
// every finding).
func FindingsBrief(w io.Writer, findings []model.Finding) {
	if len(findings) <= findingsShownWhole {
		Findings(w, findings)
		return
	}
	shown := map[string]int{}
	total := map[string]int{}
	var rules []string
	for _, f := range findings {
		if total[f.ID] == 0 {
			rules = append(rules, f.ID)
		}
		total[f.ID]++
	}
	var kept []model.Finding
	for _, f := range findings {
		if shown[f.ID] < findingsShownPerRule {
			shown[f.ID]++
			kept = append(kept, f)
		}
	}
	Findings(w, kept)
	for _, id := range rules {
		if more := total[id] - shown[id]; more > 0 {
			rule := ""
			for _, f := range findings {
				if f.ID == id {
					rule = f.Rule
					break
				}
			}
			fmt.Fprintf(w, "... and %s more %s %s finding%s\n", thousands(more), id, rule, plural(more))
		}
	}
}

func position(s model.Source) string {
	if s.Filename == "" {
		return "(stack)"
	}
	return fmt.Sprintf("%s:%d:%d", s.Filename, s.Line, s.Column)
}
