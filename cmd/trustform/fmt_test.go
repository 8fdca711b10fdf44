package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/cmd/trustform/views"
)

const (
	fmtTestFormatted = "account \"production\" {\n  id = \"999999999999\"\n}\n"
	fmtTestBadIndent = "account \"production\" {\n        id = \"999999999999\"\n}\n"
	fmtTestBroken    = "account \"production\" {\n  id = \n"
	fmtTestJSON      = "{\"account\": {\"production\":    {\"id\": \"999999999999\"}}}\n"
)

// fmtTestStack writes files into a fresh directory, with an old mtime so
// that a rewrite is visible, and returns the directory.
func fmtTestStack(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFmt(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		args  []string // before DIR
		code  int
		// the names printed on standard output, in order
		listed []string
		// the files' contents afterwards (unlisted files must not change)
		after map[string]string
		// substrings of standard output and of standard error
		stdout, stderr []string
	}{
		{
			name:   "rewrites a badly indented file and leaves a formatted one untouched",
			files:  map[string]string{"a.hcl": fmtTestBadIndent, "b.hcl": fmtTestFormatted},
			code:   0,
			listed: []string{"a.hcl"},
			after:  map[string]string{"a.hcl": fmtTestFormatted},
		},
		{
			name:  "nothing to do",
			files: map[string]string{"a.hcl": fmtTestFormatted},
			code:  0,
		},
		{
			name:  "leaves hcl.json files alone",
			files: map[string]string{"a.hcl.json": fmtTestJSON, "b.hcl": fmtTestFormatted},
			code:  0,
		},
		{
			name:   "check with a file to format exits 3 and changes nothing",
			files:  map[string]string{"a.hcl": fmtTestBadIndent, "b.hcl": fmtTestFormatted, "c.hcl": fmtTestBadIndent},
			args:   []string{"-check"},
			code:   3,
			listed: []string{"a.hcl", "c.hcl"},
		},
		{
			name:  "check with every file formatted exits 0",
			files: map[string]string{"a.hcl": fmtTestFormatted},
			args:  []string{"-check"},
			code:  0,
		},
		{
			name:   "check -diff prints the diff and changes nothing",
			files:  map[string]string{"a.hcl": fmtTestBadIndent},
			args:   []string{"-check", "-diff"},
			code:   3,
			listed: []string{"a.hcl"},
			stdout: []string{"/a.hcl\n+++ new/", "@@ -1,3 +1,3 @@\n account \"production\" {\n-        id = \"999999999999\"\n+  id = \"999999999999\"\n }\n"},
		},
		{
			name:   "diff also writes",
			files:  map[string]string{"a.hcl": fmtTestBadIndent},
			args:   []string{"--diff"},
			code:   0,
			listed: []string{"a.hcl"},
			after:  map[string]string{"a.hcl": fmtTestFormatted},
			stdout: []string{"-        id = \"999999999999\"\n+  id = \"999999999999\"\n"},
		},
		{
			name:   "an unparseable file is reported, left untouched, and the others are formatted",
			files:  map[string]string{"a.hcl": fmtTestBadIndent, "broken.hcl": fmtTestBroken},
			code:   1,
			listed: []string{"a.hcl"},
			after:  map[string]string{"a.hcl": fmtTestFormatted},
			stderr: []string{"broken.hcl:2:8: error: Invalid expression", "Error: "},
		},
		{
			name:   "check with an unparseable file exits 1",
			files:  map[string]string{"a.hcl": fmtTestBadIndent, "broken.hcl": fmtTestBroken},
			args:   []string{"-check"},
			code:   1,
			listed: []string{"a.hcl"},
			stderr: []string{"broken.hcl:2:8: error: Invalid expression"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fmtTestStack(t, tt.files)
			before := map[string]os.FileInfo{}
			for name := range tt.files {
				st, err := os.Stat(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				before[name] = st
			}
			args := append(append([]string{"fmt"}, tt.args...), dir)
			r := runCommand(t, fmtCommand, args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			var listed []string
			for _, line := range strings.Split(r.stdout, "\n") {
				if strings.HasPrefix(line, dir+string(filepath.Separator)) {
					listed = append(listed, strings.TrimPrefix(line, dir+string(filepath.Separator)))
				}
			}
			if strings.Join(listed, ",") != strings.Join(tt.listed, ",") {
				t.Errorf("listed %q, want %q\nstdout:\n%s", listed, tt.listed, r.stdout)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
				}
			}
			if len(tt.stderr) == 0 && r.stderr != "" {
				t.Errorf("unexpected stderr:\n%s", r.stderr)
			}
			for name, orig := range tt.files {
				p := filepath.Join(dir, name)
				got, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				want, rewritten := tt.after[name]
				if !rewritten {
					want = orig
				}
				if string(got) != want {
					t.Errorf("%s is\n%s\nwant\n%s", name, got, want)
				}
				st, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if !rewritten && !st.ModTime().Equal(before[name].ModTime()) {
					t.Errorf("%s was written (mtime %v, was %v)", name, st.ModTime(), before[name].ModTime())
				}
				if st.Mode().Perm() != before[name].Mode().Perm() {
					t.Errorf("%s mode is %v, was %v", name, st.Mode().Perm(), before[name].Mode().Perm())
				}
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".trustform-fmt-*"))
			if len(leftovers) > 0 {
				t.Errorf("temporary files left behind: %q", leftovers)
			}
		})
	}
}

func TestFmtUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing directory", []string{"fmt", filepath.Join(t.TempDir(), "nope")}, "is not a stack directory"},
		{"two directories", []string{"fmt", t.TempDir(), t.TempDir()}, "expected at most one stack directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCommand(t, fmtCommand, tt.args...)
			if r.code != 1 || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 1 and %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

// The examples are kept formatted.
func TestFmtExamplesAreFormatted(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			mustRunCommand(t, fmtCommand, 0, "fmt", "-check", "-diff", copyExample(t, e.Name()))
		})
	}
}

func TestFmtSymlinkKeepsTheLink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(t.TempDir(), "real.hcl")
	if err := os.WriteFile(real, []byte(fmtTestBadIndent), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "main.hcl")
	if err := os.Symlink(real, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	mustRunCommand(t, fmtCommand, 0, "fmt", dir)
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("main.hcl is no longer a link: %v", err)
	}
	if got, _ := os.ReadFile(real); string(got) != fmtTestFormatted {
		t.Fatalf("the link's target is\n%s", got)
	}
}

func TestFmtUnifiedDiff(t *testing.T) {
	lines := func(n int, f func(int) string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			b.WriteString(f(i) + "\n")
		}
		return b.String()
	}
	same := func(i int) string { return "line " + string(rune('a'+i%26)) + strings.Repeat("x", i) }
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{
			name: "identical",
			old:  "a\nb\n", new: "a\nb\n",
			want: "",
		},
		{
			name: "one change in the middle",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n9\n", new: "1\n2\n3\n4\nV\n6\n7\n8\n9\n",
			want: "--- old/f.hcl\n+++ new/f.hcl\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+V\n 6\n 7\n 8\n",
		},
		{
			name: "insertion into an empty file",
			old:  "", new: "a\n",
			want: "--- old/f.hcl\n+++ new/f.hcl\n@@ -0,0 +1 @@\n+a\n",
		},
		{
			name: "missing newline at the end",
			old:  "a\nb", new: "a\nb\n",
			want: "--- old/f.hcl\n+++ new/f.hcl\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
		},
		{
			name: "changes far apart make two hunks",
			old:  lines(20, same), new: strings.Replace(strings.Replace(lines(20, same), same(2)+"\n", "X\n", 1), same(18)+"\n", "", 1),
			want: "--- old/f.hcl\n+++ new/f.hcl\n" +
				"@@ -1,5 +1,5 @@\n " + same(1) + "\n-" + same(2) + "\n+X\n " + same(3) + "\n " + same(4) + "\n " + same(5) + "\n" +
				"@@ -15,6 +15,5 @@\n " + same(15) + "\n " + same(16) + "\n " + same(17) + "\n-" + same(18) + "\n " + same(19) + "\n " + same(20) + "\n",
		},
		{
			name: "changes close together make one hunk",
			old:  "1\n2\n3\n4\n5\n6\n7\n8\n", new: "1\nX\n3\n4\n5\n6\nY\n8\n",
			want: "--- old/f.hcl\n+++ new/f.hcl\n@@ -1,8 +1,8 @@\n 1\n-2\n+X\n 3\n 4\n 5\n 6\n-7\n+Y\n 8\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			fmtWriteDiff(&b, "f.hcl", []byte(tt.old), []byte(tt.new), views.Colors{})
			if b.String() != tt.want {
				t.Fatalf("diff is\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}
