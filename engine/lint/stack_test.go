package lint_test

// An external test package: the stack is loaded with schema, which imports
// the planner, which imports lint.

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/lint"
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/schema"
)

// TestOIDCStack loads a stack from HCL: a role whose trust_document trusts
// GitHub's provider for any repository, one pinned to a repository, and one
// with trust blocks (which name accounts, principals and services, never a
// federated provider) testing a sub-like key. Only the open one fires.
func TestOIDCStack(t *testing.T) {
	cfg, _, diags := schema.Load(filepath.Join("testdata", "oidc"), schema.Options{Env: []string{}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var got []string
	for _, f := range lint.Check(cfg) {
		got = append(got, f.Address+" "+f.ID)
		if f.Source.Filename == "" || f.Source.Line == 0 {
			t.Errorf("finding without a place: %+v", f)
		}
	}
	want := []string{"role.any_repo TF012", "role.any_repo TF013"}
	if !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	var roles []*model.RoleConfig
	for _, r := range cfg.Roles {
		if r.Address == "role.blocks" {
			roles = append(roles, r)
		}
	}
	if len(roles) != 1 || !strings.Contains(roles[0].TrustDocument, "token.actions.githubusercontent.com:sub") {
		t.Fatalf("the trust block's condition is not in its rendered trust policy: %+v", roles)
	}
}
