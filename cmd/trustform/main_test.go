package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/providers/local"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// copyExample copies an example stack into a temporary directory, without
// any simulation state a previous run may have left in the source tree.
func copyExample(t *testing.T, name string) string {
	t.Helper()
	return copyDir(t, filepath.Join("..", "..", "examples", name))
}

type result struct {
	code           int
	stdout, stderr string
}

func trustform(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"trustform"}, args...), strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func mustRun(t *testing.T, want int, args ...string) result {
	t.Helper()
	r := trustform(t, args...)
	if r.code != want {
		t.Fatalf("trustform %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("output differs from %s (run go test -update if the change is intended):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestDevProdPlanFromEmptyGolden(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	r := mustRun(t, 2, "plan", "-detailed-exitcode", dir)
	golden(t, filepath.Join("..", "..", "testdata", "plans", "dev-prod.txt"), strings.ReplaceAll(r.stdout, dir, "examples/dev-prod"))
}

func TestDevProdLifecycle(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	state := filepath.Join(dir, ".trustform")

	before := snapshot(t, state, filepath.Join(dir, local.SeedFile))
	r := mustRun(t, 0, "apply", dir, "-auto-approve")
	if !strings.Contains(r.stdout, "Apply complete! 5 added, 0 changed, 0 destroyed.") {
		t.Fatalf("apply did not report 5 additions:\n%s", r.stdout)
	}
	r = mustRun(t, 0, "plan", "-detailed-exitcode", dir)
	if !strings.Contains(r.stdout, "No changes.") {
		t.Fatalf("second plan is not empty:\n%s", r.stdout)
	}
	mustRun(t, 0, "destroy", "--auto-approve", dir)
	after := snapshot(t, state, "")
	if !equalStates(before, after) {
		t.Fatalf("destroy did not return the accounts to the seed:\nseed: %+v\nafter: %+v", before.Accounts["111111111111"], after.Accounts["111111111111"])
	}
}

func TestOneAttributeChangePlansOneUpdate(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	mustRun(t, 0, "apply", "-auto-approve", dir)
	path := filepath.Join(dir, "production.hcl")
	src, _ := os.ReadFile(path)
	changed := strings.Replace(string(src), "max_session_duration = 3600", "max_session_duration = 7200", 1)
	if changed == string(src) {
		t.Fatal("example no longer sets max_session_duration = 3600")
	}
	os.WriteFile(path, []byte(changed), 0o644)
	r := mustRun(t, 2, "plan", "-detailed-exitcode", dir)
	for _, want := range []string{"Plan: 0 to add, 1 to change, 0 to destroy.", "~ max_session_duration = 3600 -> 7200"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("plan does not show %q:\n%s", want, r.stdout)
		}
	}
	mustRun(t, 0, "apply", "-auto-approve", dir)
	mustRun(t, 0, "plan", "-detailed-exitcode", dir)
}

// A statement added to the role's trust policy behind trustform's back is
// drift: the next plan shows it and apply reverts it. An inline policy that
// someone added to the Developers group by hand is not the stack's and stays.
func TestDriftIsRevertedAndUnownedPoliciesStay(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	mustRun(t, 0, "apply", "-auto-approve", dir)

	const extra = `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"},` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}`
	const handwritten = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	tamper(t, filepath.Join(dir, ".trustform"), func(p *local.Provider, acct func(id string) *model.AccountConfig) {
		ctx := context.Background()
		prod, dev := acct("999999999999"), acct("111111111111")
		a, err := p.Read(ctx, prod)
		if err != nil {
			t.Fatal(err)
		}
		role := a.Roles["updateapp"]
		drifted := role.Clone()
		drifted.TrustPolicy = extra
		if err := p.Apply(ctx, prod, &model.Change{Action: model.Update, Kind: model.KindRole, Account: model.AccountRef{ID: prod.ID}, Before: role, After: drifted}); err != nil {
			t.Fatal(err)
		}
		inline := &model.InlinePolicy{PrincipalKind: model.KindGroup, PrincipalName: "Developers", Name: "handwritten", Document: handwritten}
		if err := p.Apply(ctx, dev, &model.Change{Action: model.Create, Kind: model.KindInline, Account: model.AccountRef{ID: dev.ID}, After: inline}); err != nil {
			t.Fatal(err)
		}
	})

	r := mustRun(t, 2, "plan", "-detailed-exitcode", dir)
	for _, want := range []string{"Plan: 0 to add, 1 to change, 0 to destroy.", "~ trust_policy", `- statement {`, `arn:aws:iam::222222222222:root`, "(1 unchanged statement hidden)"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("drift plan does not show %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "handwritten") {
		t.Fatalf("plan touches an inline policy the stack does not own:\n%s", r.stdout)
	}
	mustRun(t, 0, "apply", "-auto-approve", dir)
	mustRun(t, 0, "plan", "-detailed-exitcode", dir)
	st := snapshot(t, filepath.Join(dir, ".trustform"), "")
	if doc := st.Accounts["111111111111"].Groups["developers"].InlinePolicies["handwritten"]; doc == "" {
		t.Fatal("apply removed an inline policy the stack does not own")
	}
}

func TestApplyRefusesWithoutTerminalOrApproval(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	r := mustRun(t, 1, "apply", dir)
	if !strings.Contains(r.stderr, "-auto-approve") {
		t.Fatalf("refusal does not say how to approve:\n%s", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, ".trustform", "state.json")); err == nil {
		t.Fatal("a refused apply wrote the simulation")
	}
}

func TestInvalidStackExitsOneWithDiagnostics(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte("acount \"x\" {\n  id = \"1\"\n}\n"), 0o644)
	r := mustRun(t, 1, "validate", dir)
	if !strings.Contains(r.stderr, "main.hcl:1") {
		t.Fatalf("diagnostic does not name the file and line:\n%s", r.stderr)
	}
}

func TestVersion(t *testing.T) {
	r := mustRun(t, 0, "version")
	if !strings.HasPrefix(r.stdout, "trustform ") {
		t.Fatalf("version output: %q", r.stdout)
	}
}

// TestBinaryFlagsInBothForms builds the command once and checks that the
// flag forms Terraform users type work before and after the directory.
func TestBinaryFlagsInBothForms(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "trustform")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	dir := copyExample(t, "dev-prod")
	for _, args := range [][]string{
		{"plan", "-no-color", dir},
		{"plan", dir, "--no-color"},
		{"plan", "--detailed-exitcode", dir, "-no-color"},
	} {
		cmd := exec.Command(bin, args...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		want := 0
		if strings.Contains(strings.Join(args, " "), "detailed-exitcode") {
			want = 2
		}
		if code != want || !strings.Contains(string(out), "Plan: 5 to add") {
			t.Fatalf("%v: exit %d (want %d)\n%s", args, code, want, out)
		}
	}
}

func snapshot(t *testing.T, dir, seed string) *model.State {
	t.Helper()
	p, err := local.Open(local.Options{Dir: dir, Seed: seed, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	return p.Snapshot()
}

func tamper(t *testing.T, dir string, fn func(p *local.Provider, acct func(string) *model.AccountConfig)) {
	t.Helper()
	p, err := local.Open(local.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	fn(p, func(id string) *model.AccountConfig {
		return &model.AccountConfig{ID: id, Name: id, Partition: "aws"}
	})
}

func equalStates(a, b *model.State) bool {
	var x, y bytes.Buffer
	dump(&x, a)
	dump(&y, b)
	return x.String() == y.String()
}

func dump(w *bytes.Buffer, s *model.State) {
	for _, id := range s.AccountIDs() {
		a := s.Accounts[id]
		w.WriteString(id + "\n")
		for _, m := range []any{a.Roles, a.Policies, a.Groups, a.Users} {
			w.WriteString(strings.TrimSpace(strings.ReplaceAll(sprint(m), "\n", " ")) + "\n")
		}
	}
}

func sprint(v any) string {
	var b bytes.Buffer
	switch m := v.(type) {
	case map[string]*model.Role:
		for _, k := range sortedKeys(m) {
			r := m[k]
			b.WriteString(k + ":" + r.Name + r.TrustPolicy + strings.Join(r.AttachedPolicies, ",") + strings.Join(sortedKeys(r.InlinePolicies), ",") + ";")
		}
	case map[string]*model.ManagedPolicy:
		for _, k := range sortedKeys(m) {
			b.WriteString(k + ":" + m[k].Document + ";")
		}
	case map[string]*model.Group:
		for _, k := range sortedKeys(m) {
			g := m[k]
			b.WriteString(k + ":" + g.Path + strings.Join(g.AttachedPolicies, ",") + strings.Join(sortedKeys(g.InlinePolicies), ",") + ";")
		}
	case map[string]*model.User:
		for _, k := range sortedKeys(m) {
			u := m[k]
			b.WriteString(k + ":" + strings.Join(u.Groups, ",") + strings.Join(u.AttachedPolicies, ",") + strings.Join(sortedKeys(u.InlinePolicies), ",") + ";")
		}
	}
	return b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// edit replaces the first old in the file with new, and fails the test when
// the file does not hold old: a test that edits a stack must not go on
// unchanged because an example moved on.
func edit(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s holds no %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
