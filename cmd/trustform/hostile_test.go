package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/stackgen"
)

// TestHostileCLIInputs runs commands on files that used to hang forever
// (named pipes), or that were reported without saying what to do.
func TestHostileCLIInputs(t *testing.T) {
	mkfifo := func(t *testing.T, p string) string {
		t.Helper()
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		return p
	}
	cases := []struct {
		name     string
		args     func(t *testing.T, dir string) []string
		code     int
		want     []string
		wantNone []string
	}{
		{"show of a FIFO", func(t *testing.T, dir string) []string {
			return []string{"show", mkfifo(t, filepath.Join(dir, "plan.json"))}
		}, 1, []string{"not a regular file (a named pipe)", "plan -out FILE"}, nil},
		{"show of a directory", func(t *testing.T, dir string) []string {
			return []string{"show", dir}
		}, 1, []string{"not a regular file (a directory)"}, nil},
		{"show of a truncated plan", func(t *testing.T, dir string) []string {
			stack := copyExample(t, "dev-prod")
			out := filepath.Join(dir, "p.json")
			mustRun(t, 0, "plan", "-out", out, stack)
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(out, b[:len(b)/2], 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"show", out}
		}, 1, []string{"truncated", "copy it again, or make a new plan"}, nil},
		{"a -var-file FIFO", func(t *testing.T, dir string) []string {
			return []string{"validate", "-var-file", mkfifo(t, filepath.Join(dir, "x.tfvars")), copyExample(t, "dev-prod")}
		}, 1, []string{"not a regular file (a named pipe)"}, []string{"-: error"}},
		{"a missing -var-file", func(t *testing.T, dir string) []string {
			return []string{"validate", "-var-file", filepath.Join(dir, "missing.tfvars"), copyExample(t, "dev-prod")}
		}, 1, []string{"no such file or directory", "Give the path of a readable"}, []string{"-: error"}},
		{"a FIFO pipe.hcl in the stack", func(t *testing.T, dir string) []string {
			stack := copyExample(t, "dev-prod")
			mkfifo(t, filepath.Join(stack, "pipe.hcl"))
			return []string{"validate", stack}
		}, 1, []string{"pipe.hcl:1:1: error: Cannot read file", "not a regular file (a named pipe)"}, nil},
		{"fmt of a file it cannot read", func(t *testing.T, dir string) []string {
			if err := os.WriteFile(filepath.Join(dir, "big.hcl"), bytes.Repeat([]byte("# padding\n"), 1<<20+1), 0o644); err != nil {
				t.Fatal(err)
			}
			return []string{"fmt", "-check", dir}
		}, 1, []string{"big.hcl:1:1: error: Cannot read file", "larger than 10 MiB", "move it out of the stack directory"}, []string{"-: error"}},
		{"explain --action ''", func(t *testing.T, dir string) []string {
			return []string{"explain", "--principal", "user.david", "--action", "", "--resource", "role.update_app", copyExample(t, "dev-prod")}
		}, 1, []string{"--action is empty", "sts:AssumeRole"}, []string{"allow"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := c.args(t, t.TempDir())
			done := make(chan result, 1)
			go func() { done <- trustform(t, args...) }()
			var r result
			select {
			case r = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("trustform did not end in 20 s")
			}
			if r.code != c.code {
				t.Errorf("exit %d, want %d\nstderr:\n%s", r.code, c.code, r.stderr)
			}
			flat := strings.Join(strings.Fields(r.stdout+r.stderr), " ")
			for _, w := range c.want {
				if !strings.Contains(flat, w) {
					t.Errorf("output does not say %q:\n%s%s", w, r.stdout, r.stderr)
				}
			}
			for _, w := range c.wantNone {
				if strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output says %q:\n%s%s", w, r.stdout, r.stderr)
				}
			}
		})
	}
}

// TestSIGTERMEndsALongCommand sends SIGTERM to a validate of a stack of
// 10,000 objects, which takes seconds: it used to finish the whole load
// before exiting (0, as if nothing had happened). It must exit promptly with
// 143 (128 + SIGTERM), saying it was interrupted.
func TestSIGTERMEndsALongCommand(t *testing.T) {
	bin := buildBinary(t)
	stack := t.TempDir()
	spec := stackgen.Spec{Stack: "big", Target: "local", Accounts: 20, Roles: 72, Groups: 71}
	for name, text := range spec.Files() {
		if err := os.WriteFile(filepath.Join(stack, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "validate", stack)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
		t.Skipf("validate ended before the signal (exit %d): too fast to interrupt here", cmd.ProcessState.ExitCode())
	case <-time.After(300 * time.Millisecond):
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatal("validate did not end within 10 s of SIGTERM")
	}
	if d := time.Since(sent); d > 2*time.Second {
		t.Errorf("validate took %v to end after SIGTERM", d)
	}
	if code := cmd.ProcessState.ExitCode(); code != 143 {
		t.Errorf("exit %d after SIGTERM, want 143\nstderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Interrupted (terminated)") {
		t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
	}
}
