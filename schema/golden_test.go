package schema_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/trustform/trustform/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/invalid")

// renderDiags is what the goldens hold: the diagnostics exactly as the CLI
// prints them, wrapped at 78 columns.
func renderDiags(diags hcl.Diagnostics, files map[string]*hcl.File) string {
	var buf bytes.Buffer
	if err := schema.WriteDiagnostics(&buf, files, diags, 78, false); err != nil {
		panic(err)
	}
	return buf.String()
}

// TestInvalidGolden loads each file of testdata/invalid on its own and
// compares its diagnostics with the .golden next to it. Run with -update to
// rewrite the goldens after a deliberate change, and read the diff.
func TestInvalidGolden(t *testing.T) {
	// Paths relative to the repository root keep the goldens independent of
	// where the repository is checked out.
	t.Chdir("..")
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.hcl"))
	jsonFiles, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.hcl.json"))
	files = append(files, jsonFiles...)
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid inputs found: %v", err)
	}
	for _, file := range files {
		base := strings.TrimSuffix(strings.TrimSuffix(file, ".json"), ".hcl")
		name := filepath.Base(base)
		t.Run(name, func(t *testing.T) {
			cfg, fileMap, diags := schema.LoadFiles([]string{file}, schema.Options{Env: []string{}})
			if !diags.HasErrors() {
				t.Fatalf("no error diagnostics for %s", file)
			}
			if _, onlyQuotas := schema.QuotaAccounts(diags); (cfg != nil) != onlyQuotas {
				t.Errorf("Config returned: %v; want it only when every error is a quota", cfg != nil)
			}
			for _, d := range diags {
				if d.Severity == hcl.DiagError && d.Subject == nil {
					t.Errorf("error %q has no source range", d.Summary)
				}
			}
			got := renderDiags(diags, fileMap)
			if !strings.Contains(got, file+":") {
				t.Errorf("rendered diagnostics do not name %s:line,column", file)
			}
			golden := base + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./schema -run TestInvalidGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ from %s (rerun with -update if the change is deliberate)\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}
