package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/trustform/trustform/internal/faultproxy"
	"github.com/trustform/trustform/internal/stackgen"
	"github.com/trustform/trustform/providers/aws/mototest"
	"github.com/trustform/trustform/providers/local"
)

// buildBinary builds trustform for tests that must run it as a process of
// its own (to kill it).
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "trustform")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// killAfter runs an apply -json as a process and kills it with SIGKILL once
// k changes have finished; it returns how many had finished by the time the
// process was gone (more may finish between the kill and its effect), and
// whether it was killed rather than done.
func killAfter(t *testing.T, bin string, k int, env []string, args ...string) (finished int, killed bool) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev struct{ Type string }
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Type == "change_finished" {
			finished++
			if finished == k && !killed {
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
	}
	err = cmd.Wait()
	if !killed && err != nil {
		t.Fatalf("apply failed before it could be killed: %v\n%s", err, stderr.String())
	}
	return finished, killed
}

// unownedSeed puts objects the stack does not own into the generated
// stack's accounts: a killed apply, and the apply that finishes its work,
// must leave them exactly as they are.
const unownedSeed = `{
  "accounts": {
    "100000000001": {
      "roles": [{"name": "Legacy", "trust_policy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::100000000002:root"}, "Action": "sts:AssumeRole"}]}}],
      "groups": [{"name": "Ops", "inline_policies": {"handwritten": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}}}]
    },
    "100000000002": {
      "users": [{"name": "Visitor", "tags": {"team": "guests"}}]
    }
  }
}`

// TestKilledApplyConvergesLocal kills an apply on the local target after k
// changes, for several k, then checks that the simulation's file is whole,
// that a second apply finishes the work, that the next plan is empty, and
// that the result is exactly what an apply that was never killed makes —
// nothing duplicated or left behind, the objects the stack does not own
// untouched.
func TestKilledApplyConvergesLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	t.Parallel() // sets nothing in the environment
	bin := buildBinary(t)
	spec := stackgen.Spec{Stack: "crash", Accounts: 2, Roles: 10, Groups: 2}
	files := spec.Files()
	files[local.SeedFile] = unownedSeed

	ref := writeStack(t, files)
	mustRun(t, 0, "apply", "-auto-approve", ref)
	want := snapshot(t, filepath.Join(ref, ".trustform"), "")

	survived := 0
	for _, k := range []int{1, 7, 25, 60} {
		dir := writeStack(t, files)
		finished, killed := killAfter(t, bin, k, os.Environ(), "apply", "-json", "-auto-approve", dir)
		if !killed {
			t.Fatalf("k=%d: the apply ended (%d changes) before the kill", k, finished)
		}
		raw, err := os.ReadFile(filepath.Join(dir, ".trustform", "state.json"))
		if err != nil || !json.Valid(raw) {
			t.Fatalf("k=%d: the simulation's file is not whole after the kill: %v", k, err)
		}
		r := mustRun(t, 2, "plan", "-detailed-exitcode", dir)
		if strings.Contains(r.stdout, "will be destroyed") {
			t.Errorf("k=%d: the plan after the kill destroys something:\n%s", k, r.stdout)
		}
		mustRun(t, 0, "apply", "-auto-approve", dir)
		mustRun(t, 0, "plan", "-detailed-exitcode", dir)
		if got := snapshot(t, filepath.Join(dir, ".trustform"), ""); !equalStates(got, want) {
			t.Errorf("k=%d: after the kill and a second apply the accounts differ from an apply never killed", k)
		}
		survived++
		t.Logf("k=%d: killed after %d changes of %d; converged", k, finished, spec.Objects())
	}
	t.Logf("%d kills survived", survived)
}

// TestKilledApplyConvergesOnMoto does the same on the aws target: moto
// behind a proxy that slows every answer, so that the kill lands with calls
// in flight, some of which IAM (moto) has carried out and some not.
func TestKilledApplyConvergesOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	requireAWSCLI(t)
	bin := buildBinary(t)
	spec := stackgen.Spec{Stack: "crash", Target: "aws", Accounts: 2, Roles: 6, Groups: 1}
	dir := writeStack(t, spec.Files())
	args := func(cmd ...string) []string { return append(append(cmd, strings.Fields(awsFlags)...), dir) }

	legacyTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + stackgen.AccountID(1) + `:root"},"Action":"sts:AssumeRole"}]}`
	legacy := &iam.CreateRoleInput{RoleName: sdkaws.String("Legacy"), AssumeRolePolicyDocument: &legacyTrust}
	reference := mototest.Start(t)
	reference.Env(t)
	if _, err := reference.IAM(stackgen.AccountID(0)).CreateRole(context.Background(), legacy); err != nil {
		t.Fatal(err)
	}
	mustRun(t, 0, args("apply", "-auto-approve")...)
	want := readStateAt(t, reference.URL, dir)

	moto := mototest.Start(t)
	proxy := faultproxy.Start(t, moto.URL, faultproxy.Config{Rate: 1, Faults: []faultproxy.Fault{faultproxy.Delay}, MaxDelay: 40 * time.Millisecond, Seed: 3})
	survived := 0
	for _, k := range []int{1, 10, 30} {
		moto.Reset(t)
		t.Setenv("AWS_ENDPOINT_URL", moto.URL)
		if _, err := moto.IAM(stackgen.AccountID(0)).CreateRole(context.Background(), legacy); err != nil {
			t.Fatal(err)
		}
		unowned := newAWSCLI(t, stackgen.AccountID(0))
		before := unowned.run("iam", "get-role", "--role-name", "Legacy", "--output", "json")

		t.Setenv("AWS_ENDPOINT_URL", proxy.URL)
		finished, killed := killAfter(t, bin, k, os.Environ(), args("apply", "-json", "-auto-approve")...)
		if !killed {
			t.Fatalf("k=%d: the apply ended (%d changes) before the kill", k, finished)
		}
		t.Setenv("AWS_ENDPOINT_URL", moto.URL)
		mustRun(t, 0, args("apply", "-auto-approve")...)
		mustRun(t, 0, args("plan", "-detailed-exitcode")...)
		if got := readStateAt(t, moto.URL, dir); got != want {
			t.Errorf("k=%d: after the kill and a second apply the accounts differ from an apply never killed:\ngot  %s\nwant %s", k, got, want)
		}
		if after := unowned.run("iam", "get-role", "--role-name", "Legacy", "--output", "json"); after != before {
			t.Errorf("k=%d: an unowned role changed:\nbefore %s\nafter  %s", k, before, after)
		}
		survived++
		t.Logf("k=%d: killed after %d changes of %d; converged", k, finished, spec.Objects())
	}
	t.Logf("%d kills survived", survived)
}
