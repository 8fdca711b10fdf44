package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trustform/trustform/cmd/trustform/views"
)

func TestDevProdExpectationsPass(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	r := mustRun(t, 0, "plan", dir)
	for _, want := range []string{"pass  expect.david_can_update", "pass  expect.tess_cannot_update", "pass  expect.only_developers", "3 passed, 0 failed."} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("plan does not show %q:\n%s", want, r.stdout)
		}
	}
}

// Without the deny, PowerUserAccess lets testers assume UpdateApp: the plan
// fails on Tess, says why, and apply changes nothing.
func TestRemovingTheDenyFailsOnTess(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	path := filepath.Join(dir, "development.hcl")
	src, _ := os.ReadFile(path)
	withoutDeny := regexp.MustCompile(`(?s)deny "testers_update_app" \{.*?\n\}\n`).ReplaceAllString(string(src), "")
	if withoutDeny == string(src) {
		t.Fatal("the example no longer has the deny block")
	}
	os.WriteFile(path, []byte(withoutDeny), 0o644)

	r := mustRun(t, 1, "plan", dir)
	for _, want := range []string{"FAIL  expect.tess_cannot_update", "PowerUserAccess", `group "Testers"`, "FAIL  expect.only_developers", "not applicable"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Fatalf("failing plan does not show %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	mustRun(t, 1, "apply", "-auto-approve", dir)
	if _, err := os.Stat(filepath.Join(dir, ".trustform", "state.json")); err == nil {
		t.Fatal("apply of a plan with failing expectations wrote the simulation")
	}
}

// readOnlySessionPolicy writes a session policy allowing only s3:GetObject
// and returns its path.
func readOnlySessionPolicy(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "session.json")
	if err := os.WriteFile(path, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestExplain(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	tests := []struct {
		name      string
		args      []string
		code      int
		decision  string
		mentioned string
	}{
		{"developer allowed", []string{"--principal", "user.david", "--resource", "role.update_app"}, 0, "allow", "trustform.devprod.grant.developers_update_app"},
		{"tester explicitly denied", []string{"--principal", "arn:aws:iam::111111111111:user/Tess", "--resource", "role.update_app"}, exitDenied, "deny", "trustform.devprod.deny.testers_update_app"},
		{"actual state before apply", []string{"--principal", "user.david", "--resource", "role.update_app", "--state", "actual"}, exitDenied, "deny", ""},
		{"an object of the caller's own account", []string{"--principal", "user.david", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::devapp/x", "--context", "aws:ResourceAccount=111111111111"}, 0, "allow", "PowerUserAccess"},
		{"an object of another account needs its bucket policy", []string{"--principal", "user.david", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::productionapp/x", "--context", "aws:ResourceAccount=999999999999"}, exitDenied, "deny", "a request from another account (111111111111) needs an allow in the resource's policy"},
		{"an object whose owner is not given", []string{"--principal", "user.david", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::productionapp/x"}, exitDenied, "deny", "give the owner as aws:ResourceAccount"},
		{"an action without resource-level permissions", []string{"--principal", "user.david", "--action", "s3:ListAllMyBuckets", "--resource", "*"}, 0, "allow", "PowerUserAccess"},
		{"a session policy narrows the role", []string{"--principal", "role.update_app", "--action", "s3:PutObject", "--resource", "arn:aws:s3:::productionapp/x", "--context", "aws:ResourceAccount=999999999999", "--session-policy", readOnlySessionPolicy(t)}, exitDenied, "deny", "\"policy\": \"session policies of role"},
		{"within the session policy the role keeps its allow", []string{"--principal", "role.update_app", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::productionapp/x", "--context", "aws:ResourceAccount=999999999999", "--session-policy", readOnlySessionPolicy(t)}, 0, "allow", "session policy 1 of role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRun(t, tt.code, append([]string{"explain", dir, "--json"}, tt.args...)...)
			var out struct {
				Decision string `json:"decision"`
				Reasons  []struct {
					Policy string `json:"Policy"`
				} `json:"reasons"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
				t.Fatalf("explain -json is not JSON: %v\n%s", err, r.stdout)
			}
			if out.Decision != tt.decision {
				t.Fatalf("decision %q, want %q:\n%s", out.Decision, tt.decision, r.stdout)
			}
			if tt.mentioned != "" && !strings.Contains(r.stdout, tt.mentioned) {
				t.Fatalf("reasons do not mention %s:\n%s", tt.mentioned, r.stdout)
			}
		})
	}
	r := mustRun(t, exitDenied, "explain", dir, "--principal", "user.tess", "--resource", "role.update_app")
	if !strings.Contains(r.stdout, "Decision: explicit deny") || !strings.Contains(r.stdout, "Not evaluated") {
		t.Fatalf("human explain lacks the decision or the caveats:\n%s", r.stdout)
	}
}

func TestWhoCanAssume(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	r := mustRun(t, 0, "who-can", "assume", "role.update_app", dir, "--json")
	var out struct {
		Principals []struct {
			Principal string `json:"principal"`
		} `json:"principals"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Principals) != 1 || out.Principals[0].Principal != "arn:aws:iam::111111111111:user/David" {
		t.Fatalf("who can assume UpdateApp after the plan: %+v, want only David", out.Principals)
	}
	r = mustRun(t, 0, "who-can", "assume", "role.update_app", dir)
	if !strings.Contains(r.stdout, "arn:aws:iam::111111111111:user/David") || strings.Contains(r.stdout, "user/Tess") {
		t.Fatalf("who-can output:\n%s", r.stdout)
	}
}

func TestAccessDiffAndBroadeningApproval(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	path := filepath.Join(dir, "main.hcl")
	src, _ := os.ReadFile(path)
	strict := strings.Replace(string(src), `target = "local"`, "target           = \"local\"\n  require_approval = \"broadening\"", 1)
	if strict == string(src) {
		t.Fatal("the example's stack block changed")
	}
	os.WriteFile(path, []byte(strict), 0o644)

	r := mustRun(t, 1, "apply", "-auto-approve", dir)
	for _, want := range []string{`+ user "David" in 111111111111 can assume role "UpdateApp" in 999999999999`, "This plan broadens access."} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("plan does not show %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "-allow-broadening") {
		t.Fatalf("refusal does not say how to approve:\n%s", r.stderr)
	}
	if strings.Contains(r.stdout, "+ user \"Tess\"") {
		t.Fatalf("Tess gains nothing, yet appears in the access changes:\n%s", r.stdout)
	}
	mustRun(t, 0, "apply", "-auto-approve", "-allow-broadening", dir)

	// Destroy takes the access away, and narrowing needs no approval.
	r = mustRun(t, 0, "destroy", "-auto-approve", dir)
	if !strings.Contains(r.stdout, `- user "David" in 111111111111 can no longer assume role "UpdateApp" in 999999999999`) || strings.Contains(r.stdout, "broadens") {
		t.Fatalf("destroy's access changes:\n%s", r.stdout)
	}
}

// explain -json and who-can -json are versioned documents like the plan's:
// each decodes, with no field left over, into its document type, carries
// format_version, and writes its lists as [] rather than null.
func TestAnswerDocumentsAreVersioned(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	decode := func(t *testing.T, out string, v any) {
		t.Helper()
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("not the document: %v\n%s", err, out)
		}
		for _, field := range []string{`"format_version": "1"`, `"not_evaluated": [`} {
			if !strings.Contains(out, field) {
				t.Errorf("the document lacks %s:\n%s", field, out)
			}
		}
		if strings.Contains(out, "null") {
			t.Errorf("the document has a null:\n%s", out)
		}
	}
	t.Run("explain", func(t *testing.T) {
		r := mustRun(t, exitDenied, "explain", dir, "--json", "--principal", "user.tess", "--resource", "role.update_app")
		var doc views.ExplainDocument
		decode(t, r.stdout, &doc)
		if doc.FormatVersion != views.AnswerFormatVersion || doc.Decision != "deny" || doc.Detail != "explicit deny" || len(doc.Reasons) == 0 ||
			doc.Request.Principal != "arn:aws:iam::111111111111:user/Tess" || doc.Request.Action != "sts:AssumeRole" {
			t.Fatalf("explain document: %+v", doc)
		}
	})
	t.Run("who-can", func(t *testing.T) {
		r := mustRun(t, 0, "who-can", "assume", "role.update_app", dir, "--json")
		var doc views.WhoCanDocument
		decode(t, r.stdout, &doc)
		if doc.FormatVersion != views.AnswerFormatVersion || doc.Role != "arn:aws:iam::999999999999:role/UpdateApp" || len(doc.Principals) != 1 || doc.Undecided == nil {
			t.Fatalf("who-can document: %+v", doc)
		}
	})
}
