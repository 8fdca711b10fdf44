package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/planfile"
	"github.com/trustform/trustform/providers/local"
)

// forge rewrites a saved plan as someone who can recompute its checksum
// would: planfile.Write computes it afresh.
func forge(t *testing.T, path string, mutate func(*planfile.Document)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := planfile.Read(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	mutate(&doc)
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := planfile.Write(out, doc); err != nil {
		t.Fatal(err)
	}
}

// powerUserDelete is the delete of the AWS-managed PowerUserAccess
// attachment on the existing Testers group of examples/dev-prod: an object
// the stack does not own, and that no plan of the stack would touch.
func powerUserDelete(index int) planfile.Change {
	const arn = "arn:aws:iam::aws:policy/PowerUserAccess"
	att := &model.Attachment{PrincipalKind: model.KindGroup, PrincipalName: "Testers", PolicyARN: arn}
	c := &model.Change{Action: model.Delete, Kind: model.KindAttachment,
		Account: model.AccountRef{Name: "development", ID: "111111111111", Partition: "aws"},
		Address: "group.testers",
		Key:     model.AttachmentKey("111111111111", model.KindGroup, "Testers", arn),
		Before:  att,
	}
	// Made a document's change as plan makes them, from the engine's.
	d := planfile.FromPlan(&model.Plan{Changes: []*model.Change{c}}, &model.Config{}, planfile.Target{}, "")
	d.Changes[0].Index = index
	return d.Changes[0]
}

// forgeries of a saved plan of examples/dev-prod, each with its checksum
// recomputed.
var forgeries = []struct {
	name   string
	mutate func(*planfile.Document)
}{
	{"changes replaced by a delete of an unowned attachment", func(d *planfile.Document) {
		d.Changes = []planfile.Change{powerUserDelete(0)}
		d.Summary = planfile.Summary{Destroy: 1}
	}},
	{"a delete of an unowned attachment added", func(d *planfile.Document) {
		d.Changes = append(d.Changes, powerUserDelete(len(d.Changes)))
		d.Summary.Destroy++
	}},
	{"a deny turned into an allow", func(d *planfile.Document) {
		for i, c := range d.Changes {
			if c.After != nil && c.After.InlinePolicy != nil && strings.Contains(c.After.InlinePolicy.Document, `"Deny"`) {
				p := *c.After.InlinePolicy
				p.Document = strings.Replace(p.Document, `"Deny"`, `"Allow"`, 1)
				d.Changes[i].After = &planfile.Object{InlinePolicy: &p}
				return
			}
		}
		panic("the plan holds no deny")
	}},
	{"a change dropped", func(d *planfile.Document) {
		d.Changes = d.Changes[:len(d.Changes)-1]
		d.Summary.Add--
	}},
}

// A saved plan whose checksum was recomputed after its changes were replaced
// is refused, naming the change, and changes nothing: apply derives every
// change again from the stack.
func TestSavedPlanForgeryIsRefusedLocal(t *testing.T) {
	for _, tc := range forgeries {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyExample(t, "dev-prod")
			saved := filepath.Join(t.TempDir(), "plan.json")
			mustRun(t, 0, "plan", "-out", saved, dir)
			forge(t, saved, tc.mutate)
			state := filepath.Join(dir, ".trustform")
			before := snapshot(t, state, filepath.Join(dir, local.SeedFile))
			r := mustRun(t, 1, "apply", saved)
			if !strings.Contains(r.stderr, "is not the plan of its stack") {
				t.Fatalf("forged plan not refused as such:\n%s%s", r.stdout, r.stderr)
			}
			if !equalStates(before, snapshot(t, state, filepath.Join(dir, local.SeedFile))) {
				t.Fatal("a forged plan changed the accounts")
			}
			if strings.Contains(tc.name, "unowned attachment") && !strings.Contains(r.stderr, "PowerUserAccess") {
				t.Fatalf("the refusal does not name the forged change:\n%s", r.stderr)
			}
		})
	}
}

// A destroy plan is checked the same way: the stack's objects, and nothing
// else, can be destroyed.
func TestSavedDestroyPlanForgeryIsRefusedLocal(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	mustRun(t, 0, "apply", "-auto-approve", dir)
	saved := filepath.Join(t.TempDir(), "destroy.json")
	mustRun(t, 0, "plan", "-destroy", "-out", saved, dir)
	forge(t, saved, forgeries[1].mutate)
	state := filepath.Join(dir, ".trustform")
	before := snapshot(t, state, "")
	r := mustRun(t, 1, "apply", saved)
	if !strings.Contains(r.stderr, "is not the plan of its stack") || !strings.Contains(r.stderr, "PowerUserAccess") {
		t.Fatalf("forged destroy plan not refused:\n%s%s", r.stdout, r.stderr)
	}
	if !equalStates(before, snapshot(t, state, "")) {
		t.Fatal("a forged destroy plan changed the accounts")
	}
	// The plan as written destroys the stack's objects.
	mustRun(t, 0, "plan", "-destroy", "-out", saved, dir)
	r = mustRun(t, 0, "apply", saved)
	if !strings.Contains(r.stdout, "Apply complete! 0 added, 0 changed, 5 destroyed.") {
		t.Fatalf("destroy plan applied:\n%s", r.stdout)
	}
}

// Every flag that would apply a saved plan elsewhere or with other inputs is
// refused before any call, and nothing is written anywhere.
func TestSavedPlanRefusesConflictingFlags(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	saved := filepath.Join(t.TempDir(), "local.plan")
	mustRun(t, 0, "plan", "-out", saved, dir)
	varFile := filepath.Join(t.TempDir(), "v.tfvars")
	os.WriteFile(varFile, []byte("production_id = \"999999999999\"\n"), 0o644)
	other := filepath.Join(t.TempDir(), "elsewhere")
	for _, tc := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"target aws", []string{"--target", "aws", "--assume-role-name", "X"}, "--target aws: the plan was made for the local target"},
		{"assume-role-name on the local target", []string{"--assume-role-name", "X"}, "--assume-role-name: the plan was made for the local target"},
		{"state-dir elsewhere", []string{"--state-dir", other}, "--state-dir " + other + ": the plan was made with the simulation in " + filepath.Join(dir, ".trustform")},
		{"var, even with the recorded value", []string{"-var", "production_id=999999999999"}, "-var: the plan holds the variable values"},
		{"var-file", []string{"-var-file", varFile}, "-var-file: the plan holds the variable values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRun(t, 1, append(append([]string{"apply"}, tc.flags...), saved)...)
			if !strings.Contains(r.stderr, "a saved plan applies only where and as it was made") || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("want the refusal to say %q:\n%s%s", tc.want, r.stdout, r.stderr)
			}
			for _, d := range []string{filepath.Join(dir, ".trustform"), other} {
				if _, err := os.Stat(d); err == nil {
					t.Fatalf("a refused plan wrote %s", d)
				}
			}
		})
	}
	// Flags that say what the plan records are no conflict.
	r := mustRun(t, 0, "apply", "--target", "local", "--state-dir", filepath.Join(dir, ".trustform"), saved)
	if !strings.Contains(r.stdout, "Apply complete! 5 added") {
		t.Fatalf("saved plan with agreeing flags:\n%s", r.stdout)
	}
}

// A plan saved with a relative stack directory records it absolute: applied
// from another directory it applies where it was made and writes nothing in
// the directory it is applied from.
func TestSavedPlanWithRelativeStackDir(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	saved := filepath.Join(t.TempDir(), "p.plan")
	t.Chdir(dir)
	mustRun(t, 0, "plan", "-out", saved, ".")
	b, _ := os.ReadFile(saved)
	var doc planfile.Document
	json.Unmarshal(b, &doc)
	if doc.Target.StackDir != dir || doc.Target.StateDir != filepath.Join(dir, ".trustform") {
		t.Fatalf("the plan records the stack in %q and the state in %q, want %q absolute", doc.Target.StackDir, doc.Target.StateDir, dir)
	}
	elsewhere := t.TempDir()
	t.Chdir(elsewhere)
	r := mustRun(t, 0, "apply", saved)
	if !strings.Contains(r.stdout, "Apply complete! 5 added, 0 changed, 0 destroyed.") || !strings.Contains(r.stdout, "target: local simulation in "+filepath.Join(dir, ".trustform")) {
		t.Fatalf("relative saved plan applied from elsewhere:\n%s", r.stdout)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) > 0 {
		t.Fatalf("apply wrote %d entries into the directory it ran in (%s...)", len(entries), entries[0].Name())
	}
	mustRun(t, 0, "plan", "-detailed-exitcode", dir)
}

// Without its stack a saved plan cannot be checked, so it is refused; so is
// a plan whose stack's files changed in a way that changes the plan, naming
// the file. A change that leaves the plan as it was does not matter.
func TestSavedPlanNeedsItsStack(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir string)
		code   int
		want   string
	}{
		{"stack dir missing", func(t *testing.T, dir string) { os.Rename(dir, dir+".moved") }, 1, "which is not there"},
		{"a file changes the plan", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "production.hcl"), `max_session_duration`, `max_session_duration = 7200 #`)
		}, 1, "the stack's files changed since the plan"},
		{"a file added", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "extra.hcl"), []byte("group \"auditors\" {\n  account = account.development\n  name = \"Auditors\"\n}\n"), 0o644)
		}, 1, "extra.hcl (new)"},
		{"a comment added", func(t *testing.T, dir string) {
			edit(t, filepath.Join(dir, "main.hcl"), `locals {`, "# reviewed\nlocals {")
		}, 0, "Apply complete! 5 added"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyExample(t, "dev-prod")
			saved := filepath.Join(t.TempDir(), "p.plan")
			mustRun(t, 0, "plan", "-out", saved, dir)
			tc.change(t, dir)
			r := mustRun(t, tc.code, "apply", saved)
			if !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Fatalf("want %q:\n%s%s", tc.want, r.stdout, r.stderr)
			}
			if tc.code != 0 {
				if _, err := os.Stat(filepath.Join(dir, ".trustform", "state.json")); err == nil {
					t.Fatal("a refused plan changed the accounts")
				}
			}
		})
	}
}

// The plan records the variables' values it was made with; apply loads the
// stack with them, whatever the environment says where it runs.
func TestSavedPlanKeepsItsVariables(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	edit(t, filepath.Join(dir, "main.hcl"), `locals {`, "variable \"session\" {\n  type    = number\n  default = 3600\n}\n\nlocals {")
	edit(t, filepath.Join(dir, "production.hcl"), `max_session_duration`, `max_session_duration = var.session #`)
	saved := filepath.Join(t.TempDir(), "p.plan")
	mustRun(t, 0, "plan", "-out", saved, "-var", "session=7200", dir)
	b, _ := os.ReadFile(saved)
	var doc planfile.Document
	json.Unmarshal(b, &doc)
	if v := doc.Variables["session"]; string(v.Value) != "7200" || string(v.Type) != `"number"` {
		t.Fatalf("the plan records session as %s of type %s", v.Value, v.Type)
	}
	t.Setenv("TRUSTFORM_VAR_session", "3600")
	r := mustRun(t, 0, "apply", saved)
	if !strings.Contains(r.stdout, "Apply complete! 5 added") {
		t.Fatalf("saved plan with a variable:\n%s%s", r.stdout, r.stderr)
	}
	mustRun(t, 0, "plan", "-detailed-exitcode", "-var", "session=7200", dir)
}

// show names where the changes would go, and renders the saved plan as a
// pull-request comment with -format markdown.
func TestShowSavedPlan(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	saved := filepath.Join(t.TempDir(), "p.plan")
	t.Chdir(dir)
	mustRun(t, 0, "plan", "-out", saved)
	where := "local simulation in " + filepath.Join(dir, ".trustform") + "; stack " + dir
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"human", []string{"show", saved}, []string{"target: " + where + "\n", "Plan: 5 to add, 0 to change, 0 to destroy."}},
		{"markdown", []string{"show", "-format", "markdown", saved}, []string{"### trustform plan for stack `devprod`", "**5 to add, 0 to change, 0 to destroy** on " + where + ".", "#### Access changes", "```diff"}},
		{"json", []string{"show", "-format", "json", saved}, []string{`"stack_dir": "` + dir + `"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustRun(t, 0, tc.args...)
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Fatalf("show lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
	if r := mustRun(t, 1, "show", "-format", "yaml", saved); !strings.Contains(r.stderr, "human, json or markdown") {
		t.Fatalf("unknown format:\n%s", r.stderr)
	}
}
