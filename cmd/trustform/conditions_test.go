package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// trustCondition adds a condition block to UpdateApp's trust block.
func trustCondition(t *testing.T, dir, test, variable, values string) {
	t.Helper()
	edit(t, filepath.Join(dir, "production.hcl"), "    accounts = [account.development]\n",
		"    accounts = [account.development]\n    condition {\n      test     = \""+test+"\"\n      variable = \""+variable+"\"\n      values   = "+values+"\n    }\n")
}

// wildcardSessionNames makes UpdateApp's trust ask for a session name that
// matches "deploy-*" or "*": the second value admits every session name, and
// a review that showed an example value ("deploy-") would hide it.
func wildcardSessionNames(t *testing.T, dir string) {
	trustCondition(t, dir, "StringLike", "sts:RoleSessionName", `["deploy-*", "*"]`)
}

// checkConditionsShownExactly checks that every view of the review shows
// the trust condition with its operator and every value as written: the
// human plan, the JSON plan's after, the markdown plan and who-can.
func checkConditionsShownExactly(t *testing.T, dir string, flags ...string) {
	args := func(cmd ...string) []string { return append(append(cmd, flags...), dir) }
	const exact = `StringLike sts:RoleSessionName in ["deploy-*", "*"]`
	r := mustRun(t, 0, args("plan", "-no-color")...)
	if !strings.Contains(r.stdout, `user "David" in 111111111111 can assume role "UpdateApp" in 999999999999 with `+exact) {
		t.Errorf("the human plan does not show the condition as written:\n%s", r.stdout)
	}
	r = mustRun(t, 0, args("plan", "-format", "markdown")...)
	if !strings.Contains(r.stdout, `| with StringLike sts:RoleSessionName in ["deploy-\*", "\*"] |`) {
		t.Errorf("the markdown plan does not show the condition as written:\n%s", r.stdout)
	}
	r = mustRun(t, 0, args("plan", "-json")...)
	var doc struct {
		AccessChanges []struct {
			Principal string   `json:"principal"`
			After     []string `json:"after"`
		} `json:"access_changes"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range doc.AccessChanges {
		if a.Principal == "arn:aws:iam::111111111111:user/David" {
			found = true
			if len(a.After) != 1 || a.After[0] != "with "+exact {
				t.Errorf("JSON after = %q, want [%q]", a.After, "with "+exact)
			}
		}
	}
	if !found {
		t.Errorf("the JSON plan has no access change for David:\n%s", r.stdout)
	}
	mustRun(t, 0, args("apply", "-auto-approve")...)
	r = mustRun(t, 0, append([]string{"who-can", "assume", "role.update_app"}, args()...)...)
	if !strings.Contains(r.stdout, "user/David  (with "+exact+")") || strings.Contains(r.stdout, `"deploy-"`) {
		t.Errorf("who-can does not show the condition as written:\n%s", r.stdout)
	}
}

// TestConditionsShownExactly is the review of a wildcard trust condition on
// the local target.
func TestConditionsShownExactly(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	wildcardSessionNames(t, dir)
	checkConditionsShownExactly(t, dir)
}

// TestConditionsShownExactlyOnMoto is the same on the aws target, the trust
// policy read back from moto.
func TestConditionsShownExactlyOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	dir, _ := devProdOnMoto(t)
	wildcardSessionNames(t, dir)
	checkConditionsShownExactly(t, dir, strings.Fields(awsFlags)...)
}

// TestPolicyVariablesInTrust is the review of a trust condition written
// with a policy variable, as terraform-aws-modules' role_requires_session_name
// writes it: the session name must be the caller's user name. David can
// assume the role that way, so the plan, who-can and can_assume must say so,
// and the delegation to Development, whose users each can, must show.
func TestPolicyVariablesInTrust(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	trustCondition(t, dir, "StringEquals", "sts:RoleSessionName", `["$${aws:username}"]`)
	const cond = `with StringEquals sts:RoleSessionName "${aws:username}"`
	r := mustRun(t, 0, "plan", "-no-color", dir)
	for _, want := range []string{
		`+ user "David" in 111111111111 can assume role "UpdateApp" in 999999999999 ` + cond,
		`+ account "development" (111111111111) may now let its principals assume role "UpdateApp" in 999999999999 ` + cond + `; today: user "David" in 111111111111`,
		"pass  expect.david_can_update",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the plan lacks %q:\n%s", want, r.stdout)
		}
	}
	mustRun(t, 0, "apply", "-auto-approve", dir)
	r = mustRun(t, 0, "who-can", "assume", "role.update_app", dir)
	if !strings.Contains(r.stdout, "user/David  ("+cond+")") {
		t.Errorf("who-can does not list David with the session name condition:\n%s", r.stdout)
	}
}
