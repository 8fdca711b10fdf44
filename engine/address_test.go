package engine_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/providers/local"
	"github.com/trustform/trustform/schema"
)

// loadExample loads a stack under examples/ and opens a local target seeded
// with its local-seed.json.
func loadExample(t *testing.T, name string) (*model.Config, *local.Provider) {
	t.Helper()
	dir := filepath.Join("..", "examples", name)
	cfg, _, diags := schema.Load(dir, schema.Options{})
	if diags.HasErrors() {
		t.Fatalf("examples/%s: %v", name, diags)
	}
	p, err := local.Open(local.Options{Dir: t.TempDir(), Seed: filepath.Join(dir, local.SeedFile)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return cfg, p
}

// withoutBlocks is a stack's configuration with its accounts only: every
// object the stack owns is then planned as a delete that no block declares.
func withoutBlocks(cfg *model.Config) *model.Config {
	return &model.Config{Stack: cfg.Stack, Accounts: cfg.Accounts}
}

// addresses returns the addresses of a plan's changes, failing the test on an
// empty or repeated one.
func addresses(t *testing.T, p *model.Plan) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, c := range p.Changes {
		switch {
		case c.Address == "":
			t.Errorf("%s has no address", engine.Describe(c))
		case seen[c.Address]:
			t.Errorf("%s: address %s is shared by another change of the plan", engine.Describe(c), c.Address)
		}
		seen[c.Address] = true
		out = append(out, c.Address)
	}
	return out
}

// TestAddressesAreUniqueAndStable plans every example from its seed, after
// apply with its blocks removed (deletes no block declares) and as a destroy,
// each twice: every change has an address of its own, and the same one in
// both plans.
func TestAddressesAreUniqueAndStable(t *testing.T) {
	matches, err := filepath.Glob(filepath.Join("..", "examples", "*", "main.hcl"))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	ctx := context.Background()
	for _, m := range matches {
		name := filepath.Base(filepath.Dir(m))
		t.Run(name, func(t *testing.T) {
			cfg, p := loadExample(t, name)
			stages := []struct {
				name    string
				cfg     *model.Config
				destroy bool
			}{
				{"from the seed", cfg, false},
				{"blocks removed after apply", withoutBlocks(cfg), false},
				{"destroy after apply", cfg, true},
			}
			for i, st := range stages {
				first := plan(t, st.cfg, p, st.destroy)
				if len(first.Changes) == 0 {
					t.Fatalf("%s: the plan is empty", st.name)
				}
				got := addresses(t, first)
				if again := addresses(t, plan(t, st.cfg, p, st.destroy)); !slices.Equal(got, again) {
					t.Errorf("%s: addresses differ between two plans:\n%s\n---\n%s", st.name, strings.Join(got, "\n"), strings.Join(again, "\n"))
				}
				if st.name == "blocks removed after apply" {
					for _, c := range first.Changes {
						// The stack's records (the adoption ledger, the
						// access record) are declared by no block either,
						// and say which record they are.
						record := c.Block == ownership.LedgerAddress || c.Block == ownership.AccessRecordAddress
						if c.Action != model.Delete || c.Block != "" && !record || !strings.HasPrefix(c.Address, "account.") {
							t.Errorf("%s: %s at %s (block %q), want a delete no block declares, addressed by its account", st.name, engine.Describe(c), c.Address, c.Block)
						}
					}
				}
				if i == 0 {
					if err := engine.Apply(ctx, first, cfg, p, engine.ApplyOptions{}); err != nil {
						t.Fatal(err)
					}
				}
			}
		})
	}
}

// TestAddressForms pins the address of each kind of change.
func TestAddressForms(t *testing.T) {
	cfg := stackConfig()
	cfg.Roles[1].ManagedPolicies = append(cfg.Roles[1].ManagedPolicies, "arn:aws:iam::aws:policy/ReadOnlyAccess")
	p := openLocal(t)
	got := map[string]string{} // address → description
	for _, c := range plan(t, cfg, p, false).Changes {
		got[c.Address] = engine.Describe(c)
	}
	if err := engine.Apply(context.Background(), plan(t, cfg, p, false), cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range plan(t, withoutBlocks(cfg), p, false).Changes {
		got[c.Address] = engine.Describe(c)
	}
	tests := []struct {
		name, address, describe string
	}{
		{"a role block", `role.target`, `create role "Target" in production (999999999999)`},
		{"a group block", `group.ops`, `create group "Ops" in development (111111111111)`},
		{"a policy block", `policy.rw`, `create managed policy "rw" in production (999999999999)`},
		{"an inline policy of a role", `role.target.inline_policy["notes"]`, `create inline policy "notes" of role "Target" in production (999999999999)`},
		{"an attachment of a declared policy", `role.target.managed_policy[policy.rw]`, `create attachment of arn:aws:iam::999999999999:policy/rw to role "Target" in production (999999999999)`},
		{"an attachment of an AWS-managed policy", `role.target.managed_policy["arn:aws:iam::aws:policy/ReadOnlyAccess"]`, `create attachment of arn:aws:iam::aws:policy/ReadOnlyAccess to role "Target" in production (999999999999)`},
		{"a membership", `user.ann.membership[group.ops]`, `create membership of user "Ann" in group "Ops" in development (111111111111)`},
		{"a grant's inline policy", `grant.ops.to[group.ops]`, `create inline policy "trustform.t.grant.ops" of group "Ops" in development (111111111111)`},
		{"an undeclared role", `account.production.role["Target"]`, `delete role "Target" in production (999999999999)`},
		{"an undeclared role's inline policy", `account.production.role["Target"].inline_policy["notes"]`, `delete inline policy "notes" of role "Target" in production (999999999999)`},
		{"an undeclared attachment", `account.production.role["Target"].managed_policy["arn:aws:iam::999999999999:policy/rw"]`, `delete attachment of arn:aws:iam::999999999999:policy/rw to role "Target" in production (999999999999)`},
		{"an undeclared membership", `account.development.user["Ann"].membership["Ops"]`, `delete membership of user "Ann" in group "Ops" in development (111111111111)`},
		{"an undeclared grant's inline policy", `account.development.group["Ops"].inline_policy["trustform.t.grant.ops"]`, `delete inline policy "trustform.t.grant.ops" of group "Ops" in development (111111111111)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d, ok := got[tc.address]; !ok || d != tc.describe {
				keys := sortedKeys(got)
				t.Errorf("%s: %q, want %q; the plans have:\n%s", tc.address, d, tc.describe, strings.Join(keys, "\n"))
			}
		})
	}
}
