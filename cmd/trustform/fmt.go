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

	udiff "github.com/aymanbagabas/go-udiff"

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

// fmtMaxSize is the largest file fmt reads, as the loader (schema).
const fmtMaxSize = 10 << 20

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
			if err := finishing(func() error { return fmtWriteAtomic(path, r.out) }); err != nil {
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
	src, err := readRegular(path, fmtMaxSize)
	if err != nil {
		r.diags = hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read file",
			Detail:   fmt.Sprintf("%v. Make the file readable, or move it out of the stack directory: fmt formats every *.hcl file there, and leaves this one as it is.", err),
			Subject:  &hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos},
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
// with the headers terraform fmt -diff uses, coloured line by line on a
// terminal.
func fmtWriteDiff(w io.Writer, path string, old, new []byte, c views.Colors) {
	slash := filepath.ToSlash(path)
	text := udiff.Unified("old/"+slash, "new/"+slash, string(old), string(new))
	for _, line := range strings.SplitAfter(text, "\n") {
		if line == "" {
			continue
		}
		color := ""
		switch {
		case strings.HasPrefix(line, "---"), strings.HasPrefix(line, "+++"):
			color = c.Bold
		case strings.HasPrefix(line, "@@"):
			color = c.Dim
		case strings.HasPrefix(line, "-"):
			color = c.Red
		case strings.HasPrefix(line, "+"):
			color = c.Green
		}
		if color == "" {
			fmt.Fprint(w, line)
			continue
		}
		body, eol := strings.CutSuffix(line, "\n")
		fmt.Fprintf(w, "%s%s%s", color, body, c.Reset)
		if eol {
			fmt.Fprintln(w)
		}
	}
}
