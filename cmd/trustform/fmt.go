package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"github.com/trustform/trustform/cmd/trustform/views"
	"github.com/trustform/trustform/schema"
)

// fmt: rewrites a stack's *.hcl files in HCL's canonical layout
// (hclwrite.Format), like terraform fmt. *.hcl.json files are left alone.
// A file that does not parse is reported and never touched; the files that
// do parse are still formatted, and the command exits 1.

// fmtExitCheck is the exit code of fmt -check when a file is not formatted.
const fmtExitCheck = 3

func fmtCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:      "fmt",
		Usage:     "rewrite the stack's *.hcl files in the canonical layout",
		ArgsUsage: "[DIR]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "check", Usage: "change nothing; list the files that are not formatted and exit 3 if there are any"},
			&cli.BoolFlag{Name: "diff", Usage: "print a unified diff of the changes"},
			&cli.BoolFlag{Name: "no-color", Usage: "never colour the output"},
		},
		Action: env.formatStack,
	}
}

// fmtResult is what formatting one file found.
type fmtResult struct {
	src, out []byte
	diags    hcl.Diagnostics
	parsed   *hcl.File // for the diagnostics' snippets
	changed  bool
}

func (e *cliEnv) formatStack(_ context.Context, cmd *cli.Command) error {
	dir, err := stackDir(cmd)
	if err != nil {
		return err
	}
	paths, err := fmtFiles(dir)
	if err != nil {
		return err
	}
	check, showDiff := cmd.Bool("check"), cmd.Bool("diff")
	colors := e.colors(cmd, e.stdout)

	files := map[string]*hcl.File{}
	var diags hcl.Diagnostics
	var writeErrs []string
	changed := 0
	for _, path := range paths {
		r := fmtFile(path)
		if r.parsed != nil {
			files[path] = r.parsed
		}
		if r.diags.HasErrors() {
			diags = append(diags, r.diags...)
			continue
		}
		if !r.changed {
			continue
		}
		changed++
		if !check {
			if err := fmtWriteAtomic(path, r.out); err != nil {
				writeErrs = append(writeErrs, fmt.Sprintf("%s: %v", path, err))
				continue
			}
		}
		fmt.Fprintln(e.stdout, path)
		if showDiff {
			fmtWriteDiff(e.stdout, path, r.src, r.out, colors)
		}
	}

	if len(diags) > 0 {
		width := 0
		if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			width, _, _ = term.GetSize(int(f.Fd()))
		}
		_ = schema.WriteDiagnostics(e.stderr, files, diags, uint(width), e.colors(cmd, e.stderr) != views.Colors{})
	}
	if len(writeErrs) > 0 {
		return fmt.Errorf("could not write the formatted files:\n  %s", strings.Join(writeErrs, "\n  "))
	}
	if diags.HasErrors() {
		return &exitError{code: 1, silent: true}
	}
	if check && changed > 0 {
		return &exitError{code: fmtExitCheck, silent: true}
	}
	return nil
}

// fmtFiles lists the *.hcl files directly in dir, sorted by name: the files
// schema.Load reads in HCL's native syntax.
func fmtFiles(dir string) ([]string, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%s is not a stack directory: give the directory that holds the stack's *.hcl files", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, ent := range entries {
		if !strings.HasSuffix(ent.Name(), ".hcl") {
			continue
		}
		// Follow symbolic links: a link to a file is formatted, one to a
		// directory is not a file of the stack.
		st, err := os.Stat(filepath.Join(dir, ent.Name()))
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		paths = append(paths, filepath.Join(dir, ent.Name()))
	}
	sort.Strings(paths)
	return paths, nil
}

// fmtFile formats one file in memory. It parses the file first: hclwrite
// formats tokens, and would happily "format" a file that does not parse.
func fmtFile(path string) fmtResult {
	var r fmtResult
	src, err := os.ReadFile(path)
	if err != nil {
		r.diags = hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read file",
			Detail:   err.Error(),
		}}
		return r
	}
	r.src = src
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	r.parsed, r.diags = f, diags
	if diags.HasErrors() {
		return r
	}
	r.out = hclwrite.Format(src)
	r.changed = !bytes.Equal(src, r.out)
	return r
}

// fmtWriteAtomic replaces the file at path with data: written to a temporary
// file in the same directory, given the original's permissions, then renamed
// over it, so that a reader never sees half a file. A symbolic link is
// followed: its target is replaced, and the link stays.
func fmtWriteAtomic(path string, data []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(target)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".trustform-fmt-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), target)
}

// fmtWriteDiff prints a unified diff (3 lines of context) from old to new,
// with the headers terraform fmt -diff uses.
func fmtWriteDiff(w io.Writer, path string, old, new []byte, c views.Colors) {
	hunks := fmtDiffHunks(fmtSplitLines(old), fmtSplitLines(new), 3)
	if len(hunks) == 0 {
		return
	}
	slash := filepath.ToSlash(path)
	fmt.Fprintf(w, "%s--- old/%s%s\n%s+++ new/%s%s\n", c.Bold, slash, c.Reset, c.Bold, slash, c.Reset)
	for _, h := range hunks {
		fmt.Fprintf(w, "%s@@ -%s +%s @@%s\n", c.Dim, fmtHunkRange(h.oldStart, h.oldLen), fmtHunkRange(h.newStart, h.newLen), c.Reset)
		for _, l := range h.lines {
			color := ""
			switch l.op {
			case '-':
				color = c.Red
			case '+':
				color = c.Green
			}
			reset := ""
			if color != "" {
				reset = c.Reset
			}
			text, eol := strings.CutSuffix(l.text, "\n")
			fmt.Fprintf(w, "%s%c%s%s\n", color, l.op, text, reset)
			if !eol {
				fmt.Fprintln(w, `\ No newline at end of file`)
			}
		}
	}
}

// fmtHunkRange is a hunk header's "start,len", with the conventions of diff
// -u: a length of 1 is left out, and an empty range starts at the line
// before it.
func fmtHunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return fmt.Sprintf("%d", start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// fmtSplitLines splits text into lines, each keeping its "\n" (the last one
// may have none).
func fmtSplitLines(b []byte) []string {
	var lines []string
	s := string(b)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

type fmtDiffLine struct {
	op   byte // ' ', '-' or '+'
	text string
}

type fmtHunk struct {
	oldStart, oldLen, newStart, newLen int // 1-based starts
	lines                              []fmtDiffLine
}

// fmtDiffHunks groups an edit script into unified-diff hunks with ctx lines
// of context around the changes.
func fmtDiffHunks(a, b []string, ctx int) []fmtHunk {
	script := fmtDiffLines(a, b)
	var hunks []fmtHunk
	i := 0
	for i < len(script) {
		// Find the next change.
		for i < len(script) && script[i].op == ' ' {
			i++
		}
		if i == len(script) {
			break
		}
		start := max(i-ctx, 0)
		// Extend over changes separated by at most 2*ctx equal lines.
		end := i
		for end < len(script) {
			if script[end].op != ' ' {
				end++
				continue
			}
			run := end
			for run < len(script) && script[run].op == ' ' {
				run++
			}
			if run == len(script) || run-end > 2*ctx {
				end = min(end+ctx, len(script))
				break
			}
			end = run
		}
		h := fmtHunk{lines: script[start:end]}
		// Line numbers: count what precedes the hunk.
		oldLine, newLine := 1, 1
		for _, l := range script[:start] {
			if l.op != '+' {
				oldLine++
			}
			if l.op != '-' {
				newLine++
			}
		}
		h.oldStart, h.newStart = oldLine, newLine
		for _, l := range h.lines {
			if l.op != '+' {
				h.oldLen++
			}
			if l.op != '-' {
				h.newLen++
			}
		}
		hunks = append(hunks, h)
		i = end
	}
	return hunks
}

// fmtDiffLines is a shortest edit script from a to b (Myers' algorithm),
// as equal, deleted and inserted lines in order. The common prefix and
// suffix are set aside first: formatting changes are usually few.
func fmtDiffLines(a, b []string) []fmtDiffLine {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var out []fmtDiffLine
	for _, l := range a[:pre] {
		out = append(out, fmtDiffLine{' ', l})
	}
	out = append(out, fmtMyers(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		out = append(out, fmtDiffLine{' ', l})
	}
	return out
}

func fmtMyers(a, b []string) []fmtDiffLine {
	n, m := len(a), len(b)
	if n == 0 && m == 0 {
		return nil
	}
	maxD := n + m
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	// trace[d] holds v[k] for k in -d..d after step d.
	var trace [][]int
	found := false
	for d := 0; d <= maxD && !found; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: an insertion
			} else {
				x = v[off+k-1] + 1 // right: a deletion
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = true
			}
		}
		trace = append(trace, append([]int(nil), v[off-d:off+d+1]...))
	}
	// Walk back from (n, m) to (0, 0).
	var rev []fmtDiffLine
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		prev := trace[d-1] // indices -(d-1)..(d-1), at offset d-1
		at := func(k int) int { return prev[k+d-1] }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, fmtDiffLine{' ', a[x]})
		}
		if x == px {
			y--
			rev = append(rev, fmtDiffLine{'+', b[y]})
		} else {
			x--
			rev = append(rev, fmtDiffLine{'-', a[x]})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, fmtDiffLine{' ', a[x]})
	}
	out := make([]fmtDiffLine, len(rev))
	for i, l := range rev {
		out[len(rev)-1-i] = l
	}
	return out
}
