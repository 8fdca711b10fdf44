package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v3"
)

// validateWithJSONCommand is validate as main.go declares it, with the -json
// flag and the branch that calls validateJSON.
func validateWithJSONCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:      "validate",
		ArgsUsage: "[DIR]",
		Flags:     append(stackFlags(), &cli.BoolFlag{Name: "json", Usage: "print the result as JSON"}),
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Bool("json") {
				return env.validateJSON(ctx, cmd)
			}
			return env.validate(ctx, cmd)
		},
	}
}

// validateJSONTestStack copies files of the repository's testdata into a
// fresh directory.
func validateJSONTestStack(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join("..", "..", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestValidateJSON(t *testing.T) {
	tests := []struct {
		name  string
		dir   func(t *testing.T) string
		extra []string // flags before DIR
		code  int
		check func(t *testing.T, dir string, doc validateJSONDoc)
	}{
		{
			name: "dev-prod is valid, with its summary",
			dir:  func(t *testing.T) string { return copyExample(t, "dev-prod") },
			code: 0,
			check: func(t *testing.T, _ string, doc validateJSONDoc) {
				if !doc.Valid || doc.ErrorCount != 0 || len(doc.Diagnostics) != doc.WarningCount {
					t.Fatalf("not valid: %+v", doc)
				}
				want := validateJSONSummary{Stack: "devprod", Accounts: 2, Roles: 1, Policies: 1, Groups: 2, Users: 2, Grants: 2, Expectations: 3}
				if doc.Summary == nil || *doc.Summary != want {
					t.Fatalf("summary %+v, want %+v", doc.Summary, want)
				}
			},
		},
		{
			name:  "a variable given with -var is used",
			dir:   func(t *testing.T) string { return copyExample(t, "dev-prod") },
			extra: []string{"-var", "production_id=not-an-id"},
			code:  1,
			check: func(t *testing.T, _ string, doc validateJSONDoc) {
				if doc.Valid || doc.ErrorCount == 0 || doc.Summary != nil {
					t.Fatalf("valid with a bad account id: %+v", doc)
				}
			},
		},
		{
			name: "an unknown attribute has its range, snippet and suggestion",
			dir: func(t *testing.T) string {
				return validateJSONTestStack(t, "testdata/invalid/unknown_attribute.hcl")
			},
			code: 1,
			check: func(t *testing.T, dir string, doc validateJSONDoc) {
				if doc.Valid || doc.ErrorCount != 1 || doc.Summary != nil || len(doc.Diagnostics) != 1 {
					t.Fatalf("want one error and no summary: %+v", doc)
				}
				d := doc.Diagnostics[0]
				if d.Severity != "error" || d.Summary != "Unsupported argument" || !strings.Contains(d.Detail, `Did you mean "max_session_duration"?`) {
					t.Errorf("diagnostic %+v", d)
				}
				wantRange := validateJSONRange{
					Filename: filepath.Join(dir, "unknown_attribute.hcl"),
					Start:    validateJSONPos{Line: 8, Column: 3, Byte: 149},
					End:      validateJSONPos{Line: 8, Column: 22, Byte: 168},
				}
				if d.Range == nil || *d.Range != wantRange {
					t.Errorf("range %+v, want %+v", d.Range, wantRange)
				}
				s := d.Snippet
				if s == nil {
					t.Fatal("no snippet")
				}
				if s.Context == nil || *s.Context != `role "update_app"` || s.StartLine != 8 || s.Code != "  max_sesion_duration = 7200" {
					t.Errorf("snippet %+v", s)
				} else if got := s.Code[s.HighlightStartOffset:s.HighlightEndOffset]; got != "max_sesion_duration" {
					t.Errorf("highlight %q", got)
				}
			},
		},
		{
			name: "a syntax error",
			dir: func(t *testing.T) string {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte("account \"a\" {\n  id = \n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return dir
			},
			code: 1,
			check: func(t *testing.T, dir string, doc validateJSONDoc) {
				if doc.Valid || doc.ErrorCount == 0 || doc.Diagnostics[0].Range == nil || doc.Diagnostics[0].Range.Filename != filepath.Join(dir, "main.hcl") {
					t.Fatalf("%+v", doc)
				}
			},
		},
		{
			name: "no files: a diagnostic without a range",
			dir:  func(t *testing.T) string { return t.TempDir() },
			code: 1,
			check: func(t *testing.T, _ string, doc validateJSONDoc) {
				if doc.Valid || doc.ErrorCount != 1 || doc.Diagnostics[0].Summary != "No configuration files" || doc.Diagnostics[0].Range != nil || doc.Diagnostics[0].Snippet != nil {
					t.Fatalf("%+v", doc)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			args := append(append([]string{"validate", "-json"}, tt.extra...), dir)
			r := runCommand(t, validateWithJSONCommand, args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if r.stderr != "" {
				t.Errorf("validate -json wrote to standard error:\n%s", r.stderr)
			}
			doc := validateJSONDecode(t, r.stdout)
			if doc.FormatVersion != "1" {
				t.Errorf("format_version %q", doc.FormatVersion)
			}
			tt.check(t, dir, doc)
		})
	}
}

// validateJSONDecode decodes the document strictly, and checks the keys
// that must always be there, whatever their value.
func validateJSONDecode(t *testing.T, text string) validateJSONDoc {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, text)
	}
	for _, k := range []string{"format_version", "valid", "error_count", "warning_count", "diagnostics"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q in\n%s", k, text)
		}
	}
	if string(raw["diagnostics"]) == "null" {
		t.Errorf("diagnostics is null, want a list")
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	var doc validateJSONDoc
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	return doc
}

// Without -json, validate is unchanged: the same stack prints its human
// summary and diagnostics.
func TestValidateWithoutJSONIsUnchanged(t *testing.T) {
	r := mustRunCommand(t, validateWithJSONCommand, 0, "validate", copyExample(t, "dev-prod"))
	if !strings.HasPrefix(r.stdout, "Success! The stack \"devprod\" is valid") {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	dir := validateJSONTestStack(t, "testdata/invalid/unknown_attribute.hcl")
	r = mustRunCommand(t, validateWithJSONCommand, 1, "validate", dir)
	if r.stdout != "" || !strings.Contains(r.stderr, "unknown_attribute.hcl:8:3: error: Unsupported argument") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}
