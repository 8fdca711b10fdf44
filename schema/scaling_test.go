package schema_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/schema"
)

// invalidStack writes a stack of n role blocks, each with one error, and
// returns its path.
func invalidStack(tb testing.TB, n int) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("account \"production\" {\n  id = \"999999999999\"\n}\n")
	for i := range n {
		fmt.Fprintf(&b, "role \"r%d\" {\n  account = account.production\n  max_session_duration = 60\n  trusted_principals = [account.production]\n}\n", i)
	}
	dir := tb.TempDir()
	p := filepath.Join(dir, "main.hcl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func BenchmarkDiagnostics(b *testing.B) {
	p := invalidStack(b, 1000)
	_, files, diags := schema.LoadFiles([]string{p}, schema.Options{Env: []string{}})
	if len(diags) < 1000 {
		b.Fatalf("%d diagnostics, want 1000: %s", len(diags), diags)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := schema.WriteDiagnostics(io.Discard, files, diags, 78, false); err != nil {
			b.Fatal(err)
		}
	}
}
