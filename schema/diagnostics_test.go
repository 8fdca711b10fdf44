package schema_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/trustform/trustform/schema"
)

// hclRendering is what WriteDiagnostics printed before it indexed files:
// the summary lines, then hcl's own text writer.
func hclRendering(files map[string]*hcl.File, diags hcl.Diagnostics, width uint, color bool) string {
	var buf bytes.Buffer
	for _, d := range diags {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		pos := "-"
		if d.Subject != nil {
			pos = fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		fmt.Fprintf(&buf, "%s: %s: %s\n", pos, sev, d.Summary)
	}
	buf.WriteString("\n")
	if err := hcl.NewDiagnosticTextWriter(&buf, files, width, color).WriteDiagnostics(diags); err != nil {
		panic(err)
	}
	return buf.String()
}

// TestWriteDiagnosticsSameAsHCL: the indexed writer prints byte for byte
// what hcl's writer prints, for every invalid input, with "\n", "\r\n" and
// "\r" line endings, in color and not, wrapped and not.
func TestWriteDiagnosticsSameAsHCL(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join("..", "testdata", "invalid", "*.hcl"))
	jsonInputs, _ := filepath.Glob(filepath.Join("..", "testdata", "invalid", "*.hcl.json"))
	inputs = append(inputs, jsonInputs...)
	if len(inputs) == 0 {
		t.Fatal("no inputs")
	}
	endings := map[string]string{"lf": "\n", "crlf": "\r\n", "cr": "\r", "mixed": "\r\r\n"}
	for _, in := range inputs {
		src, err := os.ReadFile(in)
		if err != nil {
			continue // a case about unreadable files
		}
		for name, eol := range endings {
			t.Run(filepath.Base(in)+"/"+name, func(t *testing.T) {
				dir := t.TempDir()
				p := filepath.Join(dir, filepath.Base(in))
				text := strings.ReplaceAll(string(src), "\n", eol)
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				_, files, diags := schema.LoadFiles([]string{p}, schema.Options{Env: []string{}})
				// An extra diagnostic with a context range and an empty
				// subject at the end of the file.
				for _, f := range files {
					n := len(f.Bytes)
					end := hcl.Pos{Line: 1, Column: 1, Byte: n}
					diags = append(diags, &hcl.Diagnostic{
						Severity: hcl.DiagWarning, Summary: "end", Detail: "at the end",
						Subject: &hcl.Range{Filename: p, Start: end, End: end},
						Context: &hcl.Range{Filename: p, Start: hcl.Pos{Line: 1, Column: 1}, End: end},
					})
				}
				for _, color := range []bool{false, true} {
					for _, width := range []uint{0, 78} {
						var got bytes.Buffer
						if err := schema.WriteDiagnostics(&got, files, diags, width, color); err != nil {
							t.Fatal(err)
						}
						if want := hclRendering(files, diags, width, color); got.String() != want {
							t.Errorf("color=%v width=%d: got\n%s\nwant\n%s", color, width, got.String(), want)
						}
					}
				}
			})
		}
	}
}

// TestWriteDiagnosticsLinear: printing N diagnostics reads each source byte
// a bounded number of times, however many diagnostics there are. hcl's own
// writer reads the whole file for every diagnostic: 1,000 invalid blocks
// took a minute to print. The measure is bytes read, not time, so the test
// cannot flake on a slow machine.
func TestWriteDiagnosticsLinear(t *testing.T) {
	perByte := func(n int) float64 {
		p := invalidStack(t, n)
		_, files, diags := schema.LoadFiles([]string{p}, schema.Options{Env: []string{}})
		if len(diags) < n {
			t.Fatalf("%d diagnostics for %d invalid blocks", len(diags), n)
		}
		size := 0
		for _, f := range files {
			size += len(f.Bytes)
		}
		before := schema.DiagnosticBytesScanned()
		var buf bytes.Buffer
		if err := schema.WriteDiagnostics(&buf, files, diags, 78, false); err != nil {
			t.Fatal(err)
		}
		return float64(schema.DiagnosticBytesScanned()-before) / float64(size)
	}
	small, large := perByte(100), perByte(2000)
	t.Logf("source bytes read per byte of source: %.2f for 100 blocks, %.2f for 2,000", small, large)
	if large > 3 || large > small*1.5 {
		t.Errorf("printing read %.2f bytes per source byte for 2,000 invalid blocks (%.2f for 100): not linear", large, small)
	}
}
