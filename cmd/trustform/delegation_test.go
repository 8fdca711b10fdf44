package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// addSandbox declares a third account in the dev-prod stack, which holds no
// principal that could assume UpdateApp, and asks for broadening approval.
func addSandbox(t *testing.T, dir string) {
	t.Helper()
	mainHCL := filepath.Join(dir, "main.hcl")
	edit(t, mainHCL, `  target = "local"`, "  target           = \"local\"\n  require_approval = \"broadening\"")
	edit(t, mainHCL, `account "development" {`, "account \"sandbox\" {\n  id = \"222222222222\"\n}\n\naccount \"development\" {")
}

// trustSandbox adds account.sandbox to UpdateApp's trust block.
func trustSandbox(t *testing.T, dir string) {
	t.Helper()
	edit(t, filepath.Join(dir, "production.hcl"), "accounts = [account.development]", "accounts = [account.development, account.sandbox]")
}

// checkDelegationReview runs the review of a plan that adds a declared
// account, in which nobody can assume the role, to UpdateApp's trust: the
// plan must report the delegation and broaden (human and JSON), apply must
// ask for -allow-broadening, and a trusts_only expectation must fail while
// assumable_only_by still passes.
func checkDelegationReview(t *testing.T, dir string, flags ...string) {
	args := func(cmd ...string) []string { return append(append(cmd, flags...), dir) }
	mustRun(t, 0, args("apply", "-auto-approve", "-allow-broadening")...)
	trustSandbox(t, dir)

	r := mustRun(t, 0, args("plan", "-no-color")...)
	const line = `+ account "sandbox" (222222222222) may now let its principals assume role "UpdateApp" in 999999999999 with no condition; today: nobody`
	if !strings.Contains(r.stdout, line) || !strings.Contains(r.stdout, "This plan broadens access.") {
		t.Fatalf("the plan does not report the delegation to sandbox as broadening:\n%s", r.stdout)
	}

	r = mustRun(t, 0, args("plan", "-json")...)
	var doc struct {
		Broadening    bool `json:"broadening"`
		AccessChanges []struct {
			Kind      string    `json:"kind"`
			Principal string    `json:"principal"`
			Broadens  bool      `json:"broadens"`
			Today     *[]string `json:"today"`
		} `json:"access_changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, r.stdout)
	}
	if !doc.Broadening || len(doc.AccessChanges) != 1 {
		t.Fatalf("plan -json: want one broadening access change, got %+v", doc)
	}
	if a := doc.AccessChanges[0]; a.Kind != "delegation" || a.Principal != "arn:aws:iam::222222222222:root" || !a.Broadens || a.Today == nil || len(*a.Today) != 0 {
		t.Fatalf("plan -json: the access change is not sandbox's delegation with nobody today: %+v", a)
	}

	r = mustRun(t, 1, args("apply", "-auto-approve")...)
	if !strings.Contains(r.stderr, "-allow-broadening") {
		t.Fatalf("apply of a delegation under require_approval = \"broadening\" was not refused:\n%s\n%s", r.stdout, r.stderr)
	}
	r = mustRun(t, 1, args("apply", "-auto-approve", "-json")...)
	if !strings.Contains(r.stdout, `"type":"access_change","time":`) || !strings.Contains(r.stdout, `"kind":"delegation"`) {
		t.Fatalf("apply -json has no delegation event:\n%s", r.stdout)
	}

	edit(t, filepath.Join(dir, "development.hcl"), `expect "only_developers" {`,
		"expect \"trusts_only_development\" {\n  role        = role.update_app\n  trusts_only = [account.development]\n}\n\nexpect \"only_developers\" {")
	r = mustRun(t, 1, args("plan", "-no-color")...)
	for _, want := range []string{
		"pass  expect.only_developers",
		"FAIL  expect.trusts_only_development",
		"it admits account 222222222222 (any principal its own policies allow), with no condition to meet, which is not in the list",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestDelegationIsReviewed is the access review of a delegation on the
// local target.
func TestDelegationIsReviewed(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	addSandbox(t, dir)
	checkDelegationReview(t, dir)
}

// TestDelegationIsReviewedOnMoto is the same review on the aws target, the
// sandbox account read from moto like the others.
func TestDelegationIsReviewedOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	dir, _ := devProdOnMoto(t)
	addSandbox(t, dir)
	checkDelegationReview(t, dir, strings.Fields(awsFlags)...)
}
