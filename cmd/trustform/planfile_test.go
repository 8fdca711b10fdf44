package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/trustform/trustform/providers/local"
)

func planSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	f, err := os.Open(filepath.Join("..", "..", "docs", "plan.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("plan.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateJSON(t *testing.T, s *jsonschema.Schema, text string) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, text)
	}
	if err := s.Validate(v); err != nil {
		t.Fatalf("the plan does not match docs/plan.schema.json: %v", err)
	}
}

// TestOrganizationJSONPlanGoldenAndSchema: the plan of a stack with an
// organization block carries the organisation, matches the schema, and is
// a golden the plan file's round trip reads (engine/planfile).
func TestOrganizationJSONPlanGoldenAndSchema(t *testing.T) {
	dir := copyExample(t, "organization")
	r := mustRun(t, 2, "plan", "-json", "-detailed-exitcode", dir)
	validateJSON(t, planSchema(t), r.stdout)
	if !strings.Contains(r.stdout, `"organization": {`) {
		t.Fatalf("the JSON plan does not carry the organisation:\n%s", r.stdout)
	}
	golden(t, filepath.Join("..", "..", "testdata", "plans", "organization.json"), strings.ReplaceAll(r.stdout, dir, "examples/organization"))
}

func TestDevProdJSONPlanGoldenAndSchema(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	r := mustRun(t, 2, "plan", "-json", "-detailed-exitcode", dir)
	schema := planSchema(t)
	validateJSON(t, schema, r.stdout)
	golden(t, filepath.Join("..", "..", "testdata", "plans", "dev-prod.json"), strings.ReplaceAll(r.stdout, dir, "examples/dev-prod"))

	// The saved plan is the same document with a fingerprint and checksum,
	// and show -json prints the document again.
	saved := filepath.Join(t.TempDir(), "p.plan")
	mustRun(t, 2, "plan", "-out", saved, "-detailed-exitcode", dir)
	b, _ := os.ReadFile(saved)
	validateJSON(t, schema, string(b))
	shown := mustRun(t, 0, "show", "-json", saved)
	validateJSON(t, schema, shown.stdout)
	if shown.stdout != r.stdout {
		t.Fatalf("show -json differs from plan -json:\n%s\n---\n%s", shown.stdout, r.stdout)
	}
}

// The schema is not a rubber stamp: a plan missing a field, or with a
// change of an unknown kind, fails it.
func TestPlanSchemaRejectsWrongPlans(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	r := mustRun(t, 0, "plan", "-json", dir)
	schema := planSchema(t)
	for name, mutate := range map[string]func(map[string]any){
		"no summary":   func(m map[string]any) { delete(m, "summary") },
		"unknown kind": func(m map[string]any) { m["changes"].([]any)[0].(map[string]any)["kind"] = "bucket" },
		"two objects": func(m map[string]any) {
			m["changes"].([]any)[0].(map[string]any)["after"].(map[string]any)["group"] = map[string]any{}
		},
	} {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			json.Unmarshal([]byte(r.stdout), &m)
			mutate(m)
			b, _ := json.Marshal(m)
			v, _ := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
			if err := schema.Validate(v); err == nil {
				t.Fatal("the schema accepted a wrong plan")
			}
		})
	}
}

func TestSavedPlanAppliesExactlyOrRefusesWhenStale(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	saved := filepath.Join(t.TempDir(), "p.plan")
	r := mustRun(t, 0, "plan", "-out", saved, dir)
	if !strings.Contains(r.stdout, "Saved the plan to") {
		t.Fatalf("plan -out does not say where the plan went:\n%s", r.stdout)
	}

	// Something changes in the accounts after the plan was made: the plan is
	// refused and nothing changes.
	state := filepath.Join(dir, ".trustform")
	p, err := local.Open(local.Options{Dir: state, Seed: filepath.Join(dir, local.SeedFile)})
	if err != nil {
		t.Fatal(err)
	}
	dev := &model.AccountConfig{ID: "111111111111", Name: "development", Partition: "aws"}
	visitor := &model.User{Name: "Visitor", Path: "/"}
	if err := p.Apply(t.Context(), dev, &model.Change{Action: model.Create, Kind: model.KindUser, Account: model.AccountRef{ID: dev.ID}, After: visitor}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	before := snapshot(t, state, "")
	r = mustRun(t, 1, "apply", saved)
	if !strings.Contains(r.stderr, "changed since the plan") {
		t.Fatalf("stale plan not refused clearly:\n%s", r.stderr)
	}
	if !equalStates(before, snapshot(t, state, "")) {
		t.Fatal("a refused stale plan changed the accounts")
	}

	// A fresh plan applies exactly its changes, and the accounts then match
	// the stack.
	mustRun(t, 0, "plan", "-out", saved, dir)
	r = mustRun(t, 0, "apply", saved)
	if !strings.Contains(r.stdout, "Apply complete! 5 added, 0 changed, 0 destroyed.") {
		t.Fatalf("saved plan applied:\n%s", r.stdout)
	}
	mustRun(t, 0, "plan", "-detailed-exitcode", dir)
	// And applying it again is refused: the accounts are no longer those it
	// was made from.
	mustRun(t, 1, "apply", saved)
}

func TestEditedSavedPlanIsRejected(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	saved := filepath.Join(t.TempDir(), "p.plan")
	mustRun(t, 0, "plan", "-out", saved, dir)
	b, _ := os.ReadFile(saved)
	edited := strings.Replace(string(b), `\"Deny\"`, `\"Allow\"`, 1)
	if edited == string(b) {
		t.Fatal("the saved plan holds no deny to edit")
	}
	os.WriteFile(saved, []byte(edited), 0o644)
	for _, cmd := range [][]string{{"apply", saved}, {"show", saved}} {
		r := mustRun(t, 1, cmd...)
		if !strings.Contains(r.stderr, "changed after it was written") {
			t.Fatalf("%v of an edited plan:\n%s", cmd, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".trustform", "state.json")); err == nil {
		t.Fatal("an edited plan changed the accounts")
	}
}

func TestDevProdMarkdownPlanGolden(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	r := mustRun(t, 2, "plan", "-format", "markdown", "-detailed-exitcode", dir)
	for _, want := range []string{"**5 to add, 0 to change, 0 to destroy**", "#### Access changes", "<details><summary>production (999999999999): 3 changes</summary>", "```diff"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("markdown plan lacks %q:\n%s", want, r.stdout)
		}
	}
	golden(t, filepath.Join("..", "..", "testdata", "plans", "dev-prod.md"), strings.ReplaceAll(r.stdout, dir, "examples/dev-prod"))
}

func TestApplyJSONLinesStream(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	r := mustRun(t, 0, "apply", "-json", "-auto-approve", dir)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var types []string
	for _, l := range lines {
		var ev struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not a JSON line: %q", l)
		}
		types = append(types, ev.Type)
	}
	// The tutorial's plan opens Development's delegation and David's access.
	if types[0] != "plan" || types[1] != "access_change" || types[2] != "access_change" || types[len(types)-1] != "apply_complete" || len(types) != 1+2+2*5+1 {
		t.Fatalf("event types %v: want plan, 2 access changes, a start and a finish per change (5), apply_complete", types)
	}
	mustRun(t, 1, "apply", "-json", dir)
}
