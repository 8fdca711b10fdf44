package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustform/trustform/internal/faultproxy"
	"github.com/trustform/trustform/internal/stackgen"
	"github.com/trustform/trustform/providers/aws/mototest"
)

// runResult is one finished trustform process.
type runResult struct {
	code   int
	stdout string
	stderr string
	events map[string]int // JSON event types counted, for -json runs
	// From apply_complete: the changes the run planned, and those that
	// completed (made by it, or found made by another run).
	planned, completed int
}

// runTogether starts the same command twice at once and waits for both.
func runTogether(t *testing.T, bin string, args ...string) [2]runResult {
	t.Helper()
	var out [2]runResult
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, args...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			switch {
			case errors.As(err, &ee):
				out[i].code = ee.ExitCode()
			case err != nil:
				t.Error(err)
			}
			out[i].stdout, out[i].stderr = stdout.String(), stderr.String()
			out[i].events = map[string]int{}
			sc := bufio.NewScanner(strings.NewReader(out[i].stdout))
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				var ev struct {
					Type                            string
					Add, Change, Destroy, Completed int
				}
				if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Type != "" {
					out[i].events[ev.Type]++
					if ev.Type == "apply_complete" {
						out[i].planned, out[i].completed = ev.Add+ev.Change+ev.Destroy, ev.Completed
					}
				}
			}
		}()
	}
	wg.Wait()
	return out
}

// TestConcurrentAppliesLocal starts two applies of one stack at once on the
// local target: the lock lets one run, and the other stands aside with a
// message naming the lock (or, if it came second, finds nothing to do).
func TestConcurrentAppliesLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel() // sets nothing in the environment
	bin := buildBinary(t)
	spec := stackgen.Spec{Stack: "together", Accounts: 2, Roles: 15, Groups: 2}
	ref := writeStack(t, spec.Files())
	mustRun(t, 0, "apply", "-auto-approve", ref)
	want := snapshot(t, filepath.Join(ref, ".trustform"), "")

	aside := 0
	for round := range 5 {
		dir := writeStack(t, spec.Files())
		res := runTogether(t, bin, "apply", "-auto-approve", dir)
		for _, r := range res {
			switch {
			case r.code == 0:
			case r.code == 1 && strings.Contains(r.stderr, "another trustform process"):
				aside++
			default:
				t.Fatalf("round %d: exit %d:\n%s%s", round, r.code, r.stdout, r.stderr)
			}
		}
		if res[0].code != 0 && res[1].code != 0 {
			t.Fatalf("round %d: both runs stood aside", round)
		}
		mustRun(t, 0, "plan", "-detailed-exitcode", dir)
		if got := snapshot(t, filepath.Join(dir, ".trustform"), ""); !equalStates(got, want) {
			t.Fatalf("round %d: two applies at once left the accounts unlike one apply", round)
		}
	}
	t.Logf("5 rounds of two applies at once: %d runs stood aside at the lock, the others applied or found nothing to do", aside)
}

// TestConcurrentAppliesOnMoto starts two applies of one stack at once on
// the aws target, through a proxy that slows every answer so that they
// overlap: each change is made once — the run that comes second to an
// object stands aside — and the accounts end as after one apply.
func TestConcurrentAppliesOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	requireAWSCLI(t)
	bin := buildBinary(t)
	spec := stackgen.Spec{Stack: "together", Target: "aws", Accounts: 2, Roles: 8, Groups: 1}
	dir := writeStack(t, spec.Files())
	args := func(cmd ...string) []string { return append(append(cmd, strings.Fields(awsFlags)...), dir) }

	reference := mototest.Start(t)
	reference.Env(t)
	mustRun(t, 0, args("apply", "-auto-approve")...)
	want := readStateAt(t, reference.URL, dir)

	moto := mototest.Start(t)
	proxy := faultproxy.Start(t, moto.URL, faultproxy.Config{Rate: 1, Faults: []faultproxy.Fault{faultproxy.Delay}, MaxDelay: 60 * time.Millisecond, Seed: 11})
	t.Setenv("AWS_ENDPOINT_URL", proxy.URL)
	start := time.Now()
	res := runTogether(t, bin, args("apply", "-json", "-auto-approve")...)
	elapsed := time.Since(start)
	aside, done := 0, 0
	for i, r := range res {
		if r.code != 0 {
			t.Fatalf("run %d: exit %d:\n%s%s", i, r.code, r.stdout, r.stderr)
		}
		aside += r.events["change_already_applied"]
		done += r.events["change_finished"]
	}
	if aside == 0 {
		t.Fatalf("the two runs did not overlap (no change found already applied): the test proves nothing; made %d changes in %s", done, elapsed)
	}
	// Each run completes every change it planned (the second may plan fewer,
	// if it read the accounts after the first had begun).
	for i, r := range res {
		if r.planned == 0 || r.completed != r.planned {
			t.Errorf("run %d completed %d of the %d changes it planned", i, r.completed, r.planned)
		}
	}
	t.Setenv("AWS_ENDPOINT_URL", moto.URL)
	mustRun(t, 0, args("plan", "-detailed-exitcode")...)
	if got := readStateAt(t, moto.URL, dir); got != want {
		t.Errorf("two applies at once left the accounts unlike one apply:\ngot  %s\nwant %s", got, want)
	}
	// Creates, updates and deletes are made by one run; putting an inline
	// policy, attaching a policy or adding a member is sent by both when
	// they meet, with one effect (IAM keeps one of each), and counts as
	// made by both.
	t.Logf("two applies of %d changes at once: %d made, %d found already applied, in %s", spec.Objects(), done, aside, elapsed.Round(time.Millisecond))
}
