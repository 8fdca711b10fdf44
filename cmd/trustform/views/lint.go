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

func position(s model.Source) string {
	if s.Filename == "" {
		return "(stack)"
	}
	return fmt.Sprintf("%s:%d:%d", s.Filename, s.Line, s.Column)
}
