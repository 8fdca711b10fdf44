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

// hugeListStack writes a role whose trust condition lists n values.
func hugeListStack(tb testing.TB, n int) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("account \"production\" {\n  id = \"999999999999\"\n}\nrole \"r\" {\n  account = account.production\n  trust {\n    principals = [account.production]\n    condition {\n      test = \"StringEquals\"\n      variable = \"aws:PrincipalTag/team\"\n      values = [")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "\"v%d\"", i)
	}
	b.WriteString("]\n    }\n  }\n}\n")
	p := filepath.Join(tb.TempDir(), "main.hcl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func BenchmarkHugeList(b *testing.B) {
	p := hugeListStack(b, 20000)
	b.ResetTimer()
	for b.Loop() {
		_, _, diags := schema.LoadFiles([]string{p}, schema.Options{Env: []string{}})
		if !diags.HasErrors() {
			b.Fatal("20,000 condition values accepted")
		}
	}
}

// TestHugeListRefusedBeforeUnifying: a list longer than IAM could hold is
// refused before go-cty converts it (its unification of a tuple's element
// types is quadratic: 50,000 values took 41 s), and a long list of strings
// within the bound is never unified at all. Counting conversions, not time,
// keeps the test from flaking.
func TestHugeListRefusedBeforeUnifying(t *testing.T) {
	cases := []struct {
		name     string
		n        int
		tooMany  bool
		wantSlow bool
	}{
		{"at the bound", schema.MaxValues, false, false},
		{"one past the bound", schema.MaxValues + 1, true, false},
		{"20,000 values", 20000, true, false},
		{"50,000 values", 50000, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := hugeListStack(t, c.n)
			before := schema.SlowListConversions()
			_, _, diags := schema.LoadFiles([]string{p}, schema.Options{Env: []string{}})
			got := false
			for _, d := range diags {
				if d.Summary == "Too many values" {
					got = true
				}
			}
			if got != c.tooMany {
				t.Errorf("%d values: Too many values reported %v, want %v: %s", c.n, got, c.tooMany, diags)
			}
			if slow := schema.SlowListConversions() - before; slow != 0 {
				t.Errorf("%d values: %d lists converted by type unification, want none", c.n, slow)
			}
		})
	}
}
