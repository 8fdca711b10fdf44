package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/internal/stackgen"
	"github.com/trustform/trustform/providers/local"
	"github.com/trustform/trustform/schema"
)

// seededStack writes a generated stack and a local-seed.json holding exactly
// what applying it makes, so that a plan of it has nothing to do. Applying
// 10,000 objects change by change would rewrite the simulation's file
// 10,000 times; the seed builds the same accounts in one pass.
func seededStack(tb testing.TB, spec stackgen.Spec) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := spec.Write(dir); err != nil {
		tb.Fatal(err)
	}
	cfg, _, diags := schema.Load(dir, schema.Options{})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	desired, err := engine.Desired(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	b, err := json.Marshal(seedOf(desired))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, local.SeedFile), b, 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// seedOf renders a state in the seed format (providers/local/doc.go).
func seedOf(s *model.State) map[string]any {
	accounts := map[string]any{}
	for id, a := range s.Accounts {
		var policies, groups, users, roles []map[string]any
		for _, p := range a.Policies {
			policies = append(policies, map[string]any{"name": p.Name, "path": p.Path, "description": p.Description, "document": p.Document})
		}
		for _, g := range a.Groups {
			groups = append(groups, map[string]any{"name": g.Name, "path": g.Path, "attached_policies": g.AttachedPolicies, "inline_policies": g.InlinePolicies})
		}
		for _, u := range a.Users {
			users = append(users, map[string]any{"name": u.Name, "path": u.Path, "tags": u.Tags, "groups": u.Groups, "attached_policies": u.AttachedPolicies, "inline_policies": u.InlinePolicies})
		}
		for _, r := range a.Roles {
			roles = append(roles, map[string]any{"name": r.Name, "path": r.Path, "description": r.Description, "trust_policy": r.TrustPolicy,
				"max_session_duration": r.MaxSessionDuration, "tags": r.Tags, "attached_policies": r.AttachedPolicies, "inline_policies": r.InlinePolicies})
		}
		accounts[id] = map[string]any{"policies": policies, "groups": groups, "users": users, "roles": roles}
	}
	return map[string]any{"accounts": accounts}
}

var benchSpecs = []struct {
	name string
	spec stackgen.Spec
}{
	{"500", stackgen.Spec{Stack: "bench", Accounts: 10, Roles: 12, Groups: 1}},
	{"10000", stackgen.Spec{Stack: "bench", Accounts: 20, Roles: 124, Groups: 2}},
	// Organisation scale: 1,000 accounts of 14 objects each.
	{"1000x14", stackgen.Spec{Stack: "bench", Accounts: 1000, Roles: 2, Groups: 2}},
}

// BenchmarkApplyFromEmptyLocal runs `trustform apply -auto-approve` of a
// stack on an empty local target, the whole command: its cost should follow
// the changes, not the changes times the simulation's size.
func BenchmarkApplyFromEmptyLocal(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tuneGC()
	for _, bs := range benchSpecs {
		b.Run(bs.name, func(b *testing.B) {
			dir := b.TempDir()
			if err := bs.spec.Write(dir); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				b.StopTimer()
				if err := os.RemoveAll(filepath.Join(dir, ".trustform")); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				args := []string{"trustform", "apply", "-auto-approve", dir}
				if code := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
					b.Fatalf("apply exited %d", code)
				}
			}
			b.ReportMetric(float64(bs.spec.Objects()), "objects")
		})
	}
}

// BenchmarkNoChangePlanLocal runs `trustform plan` of a stack the local
// target already holds: loading the stack, reading the simulation, the
// diff, the order, the access diff and the expectations — the whole
// command, output included.
func BenchmarkNoChangePlanLocal(b *testing.B) {
	// The collector as the command sets it (main.go), and back after.
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tuneGC()
	for _, bs := range benchSpecs {
		b.Run(bs.name, func(b *testing.B) {
			dir := seededStack(b, bs.spec)
			args := []string{"trustform", "plan", "-detailed-exitcode", dir}
			for b.Loop() {
				if code := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
					b.Fatalf("plan exited %d, want 0 (no changes)", code)
				}
			}
			b.ReportMetric(float64(bs.spec.Objects()), "objects")
		})
	}
}

// BenchmarkDiffAndOrder measures the engine alone on the same stacks: the
// diff of actual and desired state and the dependency order.
func BenchmarkDiffAndOrder(b *testing.B) {
	for _, bs := range benchSpecs {
		b.Run(bs.name, func(b *testing.B) {
			dir := seededStack(b, bs.spec)
			cfg, _, diags := schema.Load(dir, schema.Options{})
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			p, err := local.Open(local.Options{Dir: filepath.Join(dir, ".trustform"), Seed: filepath.Join(dir, local.SeedFile), ReadOnly: true})
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			actual, _, err := engine.ReadAccounts(context.Background(), cfg, p)
			if err != nil {
				b.Fatal(err)
			}
			// From empty, so that every object is a change to order.
			empty := model.NewState()
			for b.Loop() {
				desired, err := engine.Desired(cfg)
				if err != nil {
					b.Fatal(err)
				}
				if changes, err := engine.Diff(actual, desired, cfg); err != nil || len(changes) != 0 {
					b.Fatalf("no-change diff: %d changes, %v", len(changes), err)
				}
				changes, err := engine.Diff(empty, desired, cfg)
				if err != nil {
					b.Fatal(err)
				}
				engine.Order(changes)
			}
		})
	}
}

// The seeded stack is what applying it makes: a plan of it is empty.
func TestSeededStackPlansNoChange(t *testing.T) {
	dir := seededStack(t, stackgen.Spec{Stack: "bench", Accounts: 3, Roles: 4, Groups: 2})
	mustRun(t, 0, "plan", "-detailed-exitcode", dir)
}
