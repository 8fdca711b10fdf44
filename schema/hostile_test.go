package schema_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/trustform/trustform/schema"
)

// TestHostileInputs loads stacks and variable sources that used to crash the
// loader (stack overflow in the HCL parser), exhaust memory (/dev/zero) or
// block forever (named pipes), or that were reported without a reason. Each
// must end promptly with an error that says what is wrong and where.
func TestHostileInputs(t *testing.T) {
	account := "account \"a\" {\n  id = \"111111111111\"\n}\n"
	withVar := account + "variable \"x\" {\n  type = any\n  default = null\n}\n"
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) schema.Options
		want  []string // in the rendered diagnostics
	}{
		{"expression nested 70,000 deep", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", account+"locals {\n  x = "+deep("(", ")", 70000)+"\n}\n")
			return schema.Options{}
		}, []string{"main.hcl:5:262: error: Nesting too deep", "at most 256"}},
		{"template interpolations nested deep", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", account+"locals {\n  x = "+strings.Repeat("\"${", 5000)+"\n}\n")
			return schema.Options{}
		}, []string{"Nesting too deep"}},
		{"hcl.json nested 300,000 deep", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl.json", `{"locals": {"x": `+deep("[", "]", 300000)+`}}`)
			return schema.Options{}
		}, []string{"main.hcl.json:1:272: error: Nesting too deep"}},
		{"hcl.json template nested deep", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl.json", `{"locals": {"x": "${`+deep("[", "]", 100000)+`}"}}`)
			return schema.Options{}
		}, []string{"Nesting too deep"}},
		{"-var-file list nested 100,000 deep", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", withVar)
			return schema.Options{VarFiles: []string{write(t, t.TempDir(), "x.tfvars", "x = "+deep("[", "]", 100000)+"\n")}}
		}, []string{"x.tfvars:1:261: error: Nesting too deep"}},
		{"-var-file json nested deep", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", withVar)
			return schema.Options{VarFiles: []string{write(t, t.TempDir(), "x.json", `{"x": `+deep("[", "]", 100000)+`}`)}}
		}, []string{"x.json:1:262: error: Nesting too deep"}},
		{"TRUSTFORM_VAR_x nested 65,000 deep", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", withVar)
			return schema.Options{Env: []string{"TRUSTFORM_VAR_x=" + deep("[", "]", 65000)}}
		}, []string{"Invalid value for variable", "The environment variable TRUSTFORM_VAR_x", "deeper than 256 levels"}},
		{"-var nested deep", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", withVar)
			return schema.Options{Vars: []string{"x=" + deep("{a=", "}", 65000)}}
		}, []string{"Invalid value for variable", "deeper than 256 levels"}},
		{"-var-file /dev/zero", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", withVar)
			return schema.Options{VarFiles: []string{"/dev/zero"}}
		}, []string{"/dev/zero:1:1: error: Cannot read file", "not a regular file (a character device)"}},
		{"-var-file missing", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", withVar)
			return schema.Options{VarFiles: []string{filepath.Join(dir, "missing.tfvars")}}
		}, []string{"missing.tfvars:1:1: error: Cannot read file", "no such file or directory", "Give the path of a readable"}},
		{"-var-file a directory", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", withVar)
			return schema.Options{VarFiles: []string{t.TempDir()}}
		}, []string{"error: Cannot read file", "not a regular file (a directory)"}},
		{"-var-file FIFO", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", withVar)
			return schema.Options{VarFiles: []string{fifo(t, t.TempDir(), "x.tfvars")}}
		}, []string{"x.tfvars:1:1: error: Cannot read file", "not a regular file (a named pipe)"}},
		{"FIFO pipe.hcl in the stack", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", account)
			fifo(t, dir, "pipe.hcl")
			return schema.Options{}
		}, []string{"pipe.hcl:1:1: error: Cannot read file", "not a regular file (a named pipe)"}},
		{"symbolic link to /dev/zero in the stack", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", account)
			if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.hcl")); err != nil {
				t.Fatal(err)
			}
			return schema.Options{}
		}, []string{"zero.hcl:1:1: error: Cannot read file", "not a regular file (a character device)"}},
		{"stack file over 10 MiB", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", account+strings.Repeat("# padding\n", 1<<20+1))
			return schema.Options{}
		}, []string{"main.hcl:1:1: error: Cannot read file", "larger than 10 MiB"}},
		{"-var-file over 10 MiB", func(t *testing.T, dir string) schema.Options {
			write(t, dir, "main.hcl", withVar)
			return schema.Options{VarFiles: []string{write(t, t.TempDir(), "big.tfvars", strings.Repeat("# padding\n", 1<<20+1))}}
		}, []string{"big.tfvars:1:1: error: Cannot read file", "larger than 10 MiB"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			opts := c.setup(t, dir)
			if opts.Env == nil {
				opts.Env = []string{}
			}
			type result struct {
				diags hcl.Diagnostics
				files map[string]*hcl.File
			}
			done := make(chan result, 1)
			go func() {
				_, files, diags := schema.Load(dir, opts)
				done <- result{diags, files}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the load did not end in 20 s")
			}
			if !r.diags.HasErrors() {
				t.Fatal("no error")
			}
			got := renderDiags(r.diags, r.files)
			got = strings.ReplaceAll(got, dir+string(filepath.Separator), "")
			flat := strings.Join(strings.Fields(got), " ") // the details are wrapped
			for _, w := range c.want {
				if !strings.Contains(got, w) && !strings.Contains(flat, w) {
					t.Errorf("diagnostics do not contain %q:\n%.3000s", w, got)
				}
			}
			if strings.Contains(got, "-: error") {
				t.Errorf("a diagnostic names no file:\n%.3000s", got)
			}
		})
	}
}

// TestNestingAtTheLimit loads values nested exactly as deep as the loader
// reads, in every syntax, including brackets inside strings, heredocs and
// comments, which are text and do not count.
func TestNestingAtTheLimit(t *testing.T) {
	n := 256
	list := strings.Repeat("[", n-2) + strings.Repeat("]", n-2) // inside locals { x = ... }: 2 levels already
	text := "# " + strings.Repeat("[", 1000) + "\n/* " + strings.Repeat("{", 1000) + " */\n"
	dir := t.TempDir()
	write(t, dir, "main.hcl", text+"account \"a\" {\n  id = \"111111111111\"\n}\nlocals {\n  x = "+list+"\n  s = \""+strings.Repeat("[", 1000)+"\"\n  h = <<EOT\n"+strings.Repeat("(", 1000)+"\n  EOT\n  t = \"${\"${1}\"}\"\n}\n")
	write(t, dir, "more.hcl.json", `{"locals": {"j": `+strings.Repeat("[", n-2)+strings.Repeat("]", n-2)+`, "js": "`+strings.Repeat("{", 1000)+`"}}`)
	mustLoad(t, dir, schema.Options{Env: []string{"TRUSTFORM_VAR_v=" + strings.Repeat("[", n) + strings.Repeat("]", n)}})
}

func write(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func fifo(t *testing.T, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	return p
}
