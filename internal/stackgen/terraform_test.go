package stackgen

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
	awsprovider "github.com/trustform/trustform/providers/aws"
	"github.com/trustform/trustform/providers/aws/mototest"
	"github.com/trustform/trustform/schema"
)

// terraformMirror is where the machines hold the AWS provider, unpacked, for
// installation without a network.
const terraformMirror = "/opt/tf-plugins"

// The twin declares one Terraform resource per IAM object, so that a
// benchmark's sizes mean the same for both tools.
func TestTerraformResourcesCountsObjects(t *testing.T) {
	for _, spec := range []Spec{
		{Stack: "small", Accounts: 2, Roles: 2, Groups: 1},
		{Stack: "wide", Accounts: 5, Roles: 3, Groups: 2},
	} {
		text := spec.TerraformFiles("http://127.0.0.1:1")["main.tf"]
		if got := strings.Count(text, "\nresource \""); got != spec.TerraformResources() {
			t.Errorf("%s: main.tf declares %d resources, TerraformResources says %d", spec.Stack, got, spec.TerraformResources())
		}
		if spec.TerraformResources() != spec.Objects() {
			t.Errorf("%s: TerraformResources %d, Objects %d", spec.Stack, spec.TerraformResources(), spec.Objects())
		}
		if got := strings.Count(text, "\nprovider \"aws\" {"); got != spec.Accounts {
			t.Errorf("%s: %d provider blocks for %d accounts", spec.Stack, got, spec.Accounts)
		}
	}
}

// TestTerraformTwinAppliesLikeTrustform applies the Terraform twin of a small
// stack on moto, checks that Terraform then plans no change, and reads the
// accounts with trustform's aws target: trustform must plan no change
// either, but for writing its record of what it applied on each role, which
// proves that the twin creates exactly the objects trustform would — the
// ground a side-by-side benchmark stands on.
//
// It needs no network: Terraform installs the AWS provider from the
// machine's filesystem mirror (terraformMirror), and CI=true fails the test
// where Terraform or the mirror is missing. It takes some 20 s on an idle
// 2-core machine, and may take over a minute on a busy one: each Terraform
// command starts the provider (a 700 MB program, about half a GB of memory)
// for each of the two accounts, and init, apply and plan cost some 35 s of
// CPU between them. The fast tier (go test -short) leaves it out.
func TestTerraformTwinAppliesLikeTrustform(t *testing.T) {
	if testing.Short() {
		t.Skip("applies a Terraform configuration on moto")
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		requireOrSkip(t, "terraform is not on PATH: install Terraform 1.11 to run this test")
	}
	if _, err := os.Stat(filepath.Join(terraformMirror, "registry.terraform.io", "hashicorp", "aws", TerraformProviderVersion)); err != nil {
		requireOrSkip(t, "the Terraform provider mirror "+terraformMirror+" does not hold hashicorp/aws "+TerraformProviderVersion)
	}
	moto := mototest.Start(t)
	moto.Env(t)

	spec := Spec{Stack: "twin", Target: "aws", Accounts: 2, Roles: 2, Groups: 1}
	tfDir := t.TempDir()
	for name, text := range spec.TerraformFiles(moto.URL) {
		if err := os.WriteFile(filepath.Join(tfDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rc, err := WriteTerraformCLIConfig(t.TempDir(), terraformMirror)
	if err != nil {
		t.Fatal(err)
	}
	// Terraform's environment: the test's (moto's endpoint and keys, from
	// Env), the mirror-only CLI configuration, no version check, no
	// "next, run terraform apply" hints, and nothing from the machine that
	// could fetch providers elsewhere or change what Terraform reads.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_") && !strings.HasPrefix(kv, "CHECKPOINT_") {
			env = append(env, kv)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
	if os.Getenv("GOGC") == "" {
		// Terraform and its provider spend much of their CPU in Go's
		// collector while the provider builds its schema; collecting a
		// quarter as often (as trustform itself does) halves the test's
		// time and changes nothing they do.
		env = append(env, "GOGC=400")
	}
	run := func(wantCode int, args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, tf, args...)
		cmd.Dir, cmd.Env = tfDir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		took := time.Since(start)
		code := 0
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			code = exit.ExitCode()
		case err != nil:
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		if code != wantCode {
			t.Fatalf("terraform %s exited %d, want %d, after %s:\n%s", strings.Join(args, " "), code, wantCode, took.Round(time.Millisecond), out.String())
		}
		t.Logf("terraform %s: %s", args[0], took.Round(time.Millisecond))
	}
	run(0, "init", "-input=false", "-no-color")
	run(0, "apply", "-auto-approve", "-input=false", "-no-color")
	// -detailed-exitcode: 0 is no change, 2 is a change. Terraform must
	// read back what it wrote as written (moto returns documents in its own
	// form, and the provider must find them equivalent).
	run(0, "plan", "-detailed-exitcode", "-input=false", "-no-color")

	stackDir := t.TempDir()
	for name, text := range spec.Files() {
		if err := os.WriteFile(filepath.Join(stackDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _, diags := schema.Load(stackDir, schema.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	ctx := context.Background()
	prov, err := awsprovider.New(ctx, awsprovider.Options{AssumeRoleName: TerraformAssumeRoleName})
	if err != nil {
		t.Fatal(err)
	}
	actual, _, err := engine.ReadAccounts(ctx, cfg, prov)
	if err != nil {
		t.Fatal(err)
	}
	desired, err := engine.Desired(cfg)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := engine.Diff(actual, desired, cfg)
	if err != nil {
		t.Fatalf("trustform cannot plan on what Terraform created: %v", err)
	}
	// Terraform cannot write trustform's record of what it applied (the
	// trustform:applied tags, hashes the engine computes as it applies a
	// role): trustform's first plan writes it on every role the twin made,
	// and must change nothing else.
	records := 0
	for _, c := range changes {
		if writesRecordOnly(c) {
			records++
			continue
		}
		t.Errorf("trustform would %s %s %s (%s)", c.Action, c.Kind, c.Key, c.Address)
		for _, a := range c.Attrs {
			t.Errorf("  %s: %q → %q", a.Name, a.Before, a.After)
		}
	}
	if want := spec.Accounts * spec.Roles; records != want {
		t.Errorf("trustform would write its record on %d roles, want every one of the %d the twin made", records, want)
	}
}

// writesRecordOnly reports whether a change only adds trustform's record of
// what it applied to a role that has none.
func writesRecordOnly(c *model.Change) bool {
	if c.Action != model.Update || c.Kind != model.KindRole || len(c.Attrs) == 0 {
		return false
	}
	for _, a := range c.Attrs {
		key, ok := strings.CutPrefix(a.Name, "tags.")
		if !ok || !ownership.IsAppliedTag(key) || a.Before != "" || a.After == "" {
			return false
		}
	}
	return true
}

// requireOrSkip skips the test with msg, or fails it under CI=true, where
// the tools are part of the machine and a skip would hide their absence.
func requireOrSkip(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true requires it)")
	}
	t.Skip(msg)
}
