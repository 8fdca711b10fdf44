package main

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/hashicorp/hcl/v2"
	"github.com/urfave/cli/v3"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/schema"
)

// validate -json: the result of validate as one JSON document on standard
// output, shaped like terraform validate -json, for editors and pipelines.
// Nothing is written for people: the diagnostics are in the document.
// Exit 0 when the stack is valid (warnings allowed), 1 when it is not.

// validateJSONDoc is the document validate -json prints.
type validateJSONDoc struct {
	FormatVersion string                   `json:"format_version"`
	Valid         bool                     `json:"valid"`
	ErrorCount    int                      `json:"error_count"`
	WarningCount  int                      `json:"warning_count"`
	Diagnostics   []validateJSONDiagnostic `json:"diagnostics"`
	Summary       *validateJSONSummary     `json:"summary,omitempty"`
}

type validateJSONDiagnostic struct {
	Severity string               `json:"severity"` // "error" or "warning"
	Summary  string               `json:"summary"`
	Detail   string               `json:"detail"`
	Range    *validateJSONRange   `json:"range,omitempty"`
	Snippet  *validateJSONSnippet `json:"snippet,omitempty"`
}

type validateJSONRange struct {
	Filename string          `json:"filename"`
	Start    validateJSONPos `json:"start"`
	End      validateJSONPos `json:"end"`
}

type validateJSONPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// validateJSONSnippet is the source at fault: Code is the whole lines the
// diagnostic covers, from StartLine; the highlight offsets are byte offsets
// into Code; Context is the enclosing block (`role "update_app"`), when known.
type validateJSONSnippet struct {
	Context              *string `json:"context"`
	Code                 string  `json:"code"`
	StartLine            int     `json:"start_line"`
	HighlightStartOffset int     `json:"highlight_start_offset"`
	HighlightEndOffset   int     `json:"highlight_end_offset"`
}

// validateJSONSummary is what a valid stack declares (validate's one-line
// summary).
type validateJSONSummary struct {
	Stack        string `json:"stack"`
	Accounts     int    `json:"accounts"`
	Roles        int    `json:"roles"`
	Policies     int    `json:"policies"`
	Groups       int    `json:"groups"`
	Users        int    `json:"users"`
	Grants       int    `json:"grants"`
	Expectations int    `json:"expectations"`
}

// validateJSON is validate -json. It loads the stack as validate does (the
// -var and -var-file options, IAM's default quotas) and prints the document.
func (e *cliEnv) validateJSON(_ context.Context, cmd *cli.Command) error {
	var (
		cfg   *model.Config
		files map[string]*hcl.File
		diags hcl.Diagnostics
	)
	if dir, err := stackDir(cmd); err != nil {
		diags = hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Too many arguments", Detail: err.Error() + "."}}
	} else {
		cfg, files, diags = schema.Load(dir, schema.Options{Vars: cmd.StringSlice("var"), VarFiles: cmd.StringSlice("var-file")})
	}
	doc := validateJSONDocument(cfg, files, diags)
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if !doc.Valid {
		return &exitError{code: 1, silent: true}
	}
	return nil
}

// validateJSONDocument makes the document from a load's results. A stack
// that loads is also turned into its desired state, as validate does; what
// that reports becomes error diagnostics without a range.
func validateJSONDocument(cfg *model.Config, files map[string]*hcl.File, diags hcl.Diagnostics) validateJSONDoc {
	if !diags.HasErrors() && cfg != nil {
		if _, err := engine.Desired(cfg); err != nil {
			errs := []error{err}
			if u, ok := err.(interface{ WrappedErrors() []error }); ok {
				errs = u.WrappedErrors()
			}
			for _, err := range errs {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid stack", Detail: err.Error()})
			}
		}
	}
	doc := validateJSONDoc{FormatVersion: "1", Diagnostics: []validateJSONDiagnostic{}}
	for _, d := range diags {
		jd := validateJSONDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
			doc.WarningCount++
		} else {
			doc.ErrorCount++
		}
		if d.Subject != nil {
			jd.Range = validateJSONRangeOf(*d.Subject)
			jd.Snippet = validateJSONSnippetOf(d, files[d.Subject.Filename])
		}
		doc.Diagnostics = append(doc.Diagnostics, jd)
	}
	doc.Valid = doc.ErrorCount == 0 && cfg != nil
	if doc.Valid {
		doc.Summary = &validateJSONSummary{
			Stack:        cfg.Stack.Name,
			Accounts:     len(cfg.Accounts),
			Roles:        len(cfg.Roles),
			Policies:     len(cfg.Policies),
			Groups:       len(cfg.Groups),
			Users:        len(cfg.Users),
			Grants:       len(cfg.Grants),
			Expectations: len(cfg.Expectations),
		}
	}
	return doc
}

func validateJSONRangeOf(r hcl.Range) *validateJSONRange {
	return &validateJSONRange{
		Filename: r.Filename,
		Start:    validateJSONPos{Line: r.Start.Line, Column: r.Start.Column, Byte: r.Start.Byte},
		End:      validateJSONPos{Line: r.End.Line, Column: r.End.Column, Byte: r.End.Byte},
	}
}

// validateJSONSnippetOf is the source lines of a diagnostic, as terraform
// computes them: the lines its context (else its subject) covers, with the
// subject highlighted. Nil when the file's source is not at hand.
func validateJSONSnippetOf(d *hcl.Diagnostic, file *hcl.File) *validateJSONSnippet {
	if file == nil || file.Bytes == nil {
		return nil
	}
	highlight := *d.Subject
	snippetRange := highlight
	if d.Context != nil {
		snippetRange = hcl.RangeOver(*d.Context, highlight)
	}
	// An empty range would select no line at all: make it one byte long.
	if snippetRange.Empty() {
		snippetRange.End.Byte++
		snippetRange.End.Column++
	}
	if highlight.Empty() {
		highlight.End.Byte++
		highlight.End.Column++
	}
	var code strings.Builder
	codeStart, startLine := -1, 0
	sc := hcl.NewRangeScanner(file.Bytes, highlight.Filename, bufio.ScanLines)
	for sc.Scan() {
		line := sc.Range()
		if !line.Overlaps(snippetRange) {
			continue
		}
		if codeStart < 0 {
			codeStart, startLine = line.Start.Byte, line.Start.Line
		}
		code.Write(line.SliceBytes(file.Bytes))
		code.WriteByte('\n')
	}
	if codeStart < 0 {
		return nil
	}
	s := &validateJSONSnippet{Code: strings.TrimSuffix(code.String(), "\n"), StartLine: startLine}
	clamp := func(n int) int { return max(0, min(n, len(s.Code))) }
	start := highlight.Start.Byte - codeStart
	s.HighlightStartOffset = clamp(start)
	s.HighlightEndOffset = clamp(start + highlight.End.Byte - highlight.Start.Byte)
	if nav, ok := file.Nav.(interface{ ContextString(offset int) string }); ok {
		if c := nav.ContextString(highlight.Start.Byte); c != "" {
			s.Context = &c
		}
	}
	return s
}
