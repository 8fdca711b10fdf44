package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// ownProcessEnv names, in a copy of the test binary started by inOwnProcess,
// the test that copy is for.
const ownProcessEnv = "TRUSTFORM_TEST_OWN_PROCESS"

// inOwnProcess runs the calling test, from its start, in a copy of the test
// binary of its own, in parallel with the package's other tests, and takes
// that copy's result (pass, skip or failure, with its output) as the test's.
// It returns true in the test that started the copy, which has nothing left
// to do then, and false where the test is to run: in the copy, and in the
// fast tier (go test -short without CI=true), where the tests against moto
// skip at once.
//
// The tests against moto need a process each because the aws target, like
// the AWS SDK, takes its endpoint and credentials from the environment
// (AWS_ENDPOINT_URL, the keys, the shared config files), which each test
// points at its own moto_server with t.Setenv, and t.Setenv cannot be used
// in parallel tests. In a process of its own a test keeps its own
// environment, server and accounts, and cannot meet another's; run one
// after another, these tests took most of the package's minutes, most of
// them spent waiting on moto, the aws CLI and the fault proxy.
func inOwnProcess(t *testing.T) bool {
	t.Helper()
	if os.Getenv(ownProcessEnv) == t.Name() {
		return false
	}
	if testing.Short() && os.Getenv("CI") != "true" {
		return false
	}
	t.Parallel()

	run := "^" + strings.Join(strings.Split(regexp.QuoteMeta(t.Name()), "/"), "$/^") + "$"
	args := []string{"-test.run=" + run, "-test.count=1", "-test.v"}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	if *update {
		args = append(args, "-update")
	}
	if deadline, ok := t.Deadline(); ok {
		// The copy ends itself at the same moment as this binary would.
		args = append(args, "-test.timeout="+time.Until(deadline).Round(time.Second).String())
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = append(os.Environ(), ownProcessEnv+"="+t.Name())
	cmd.SysProcAttr = ownProcessAttr()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start).Round(10 * time.Millisecond)
	text := out.String()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		t.Fatalf("in its own process (%s, exit %d):\n%s", took, exit.ExitCode(), text)
	case err != nil:
		t.Fatalf("in its own process: %v\n%s", err, text)
	}
	name := regexp.QuoteMeta(t.Name())
	switch {
	case regexp.MustCompile(`(?m)^\s*--- SKIP: ` + name + ` \(`).MatchString(text):
		t.Skipf("in its own process:\n%s", text)
	case !regexp.MustCompile(`(?m)^\s*--- PASS: ` + name + ` \(`).MatchString(text):
		t.Fatalf("in its own process (%s), the test did not run:\n%s", took, text)
	}
	if testing.Verbose() {
		t.Logf("in its own process (%s):\n%s", took, text)
	}
	return true
}

// ownProcessesParent lets a test whose subtests each run in their own
// process (inOwnProcess) run in parallel with the package's other tests, so
// that they need not wait for its subtests. Wherever the subtests run inline
// (in one subtest's own process, and in the fast tier) it does nothing: a
// subtest's t.Setenv needs ancestors that are not parallel.
func ownProcessesParent(t *testing.T) {
	if os.Getenv(ownProcessEnv) == "" && !(testing.Short() && os.Getenv("CI") != "true") {
		t.Parallel()
	}
}

// The copy of the binary that inOwnProcess starts runs the test it is for,
// and its result becomes the test's: a pass passes, a skip skips (in the
// fast tier the subtests run inline, where they would fail).
func TestInOwnProcess(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("-short: inOwnProcess runs tests inline in the fast tier")
	}
	ownProcessesParent(t)
	for _, name := range []string{"passes", "skips"} {
		t.Run(name, func(t *testing.T) {
			if inOwnProcess(t) {
				return
			}
			if got := os.Getenv(ownProcessEnv); got != t.Name() {
				t.Fatalf("running in the process for %q, want one for %q", got, t.Name())
			}
			if name == "skips" {
				t.Skip("skipped in its own process")
			}
		})
	}
}
