package schema_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/trustform/trustform/schema"
)

// FuzzLoad feeds arbitrary text to the loader as one file of a stack. Load
// must never panic, and must return a Config exactly when there are no
// errors.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "invalid", "*.hcl"))
	seeds = append(seeds, filepath.Join("testdata", "devprod", "main.hcl"), filepath.Join("testdata", "org", "main.hcl"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		``,
		`locals { a = local.a }`,
		`account "a" { for_each = toset(["x"]) id = each.key }`,
		"account \"a\" {\n  for_each = { x = \"111111111111\" }\n  id = each.value\n}\nrole \"r\" {\n  for_each = account.a\n  account = each.value\n  name = \"R\"\n  trust {\n    accounts = [each.value]\n  }\n}\n",
		`variable "v" { type = list(object({ a = optional(string, "x") })) default = [{}] }`,
		`role "r" { inline_policy {} inline_policy "a" "b" {} }`,
		`grant "g" { to = role.r.arn roles = [null] }`,
		`expect "e" { role = "arn:aws:iam::111111111111:role/x" assumable_only_by = [] }`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		file := filepath.Join(dir, "main.hcl")
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, _, diags := schema.LoadFiles([]string{file}, schema.Options{Env: []string{}})
		_, onlyQuotas := schema.QuotaAccounts(diags)
		if (diags.HasErrors() && !onlyQuotas) != (cfg == nil) {
			t.Fatalf("errors: %v (only quotas: %v), config: %v", diags.HasErrors(), onlyQuotas, cfg != nil)
		}
	})
}
