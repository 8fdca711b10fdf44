package schema_test

import (
	"os"
	"path/filepath"
	"strings"
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
		// Hostile shapes: nesting past the limit and exactly at it, in
		// brackets, templates and heredocs; duplicate keys; long lists.
		"locals {\n  x = " + strings.Repeat("(", 5000) + strings.Repeat(")", 5000) + "\n}\n",
		"locals {\n  x = " + strings.Repeat("[", 255) + strings.Repeat("]", 255) + "\n}\n",
		"locals {\n  x = \"" + strings.Repeat("${\"", 2000) + "\n}\n",
		"locals {\n  x = <<EOT\n" + strings.Repeat("${[", 300) + "\nEOT\n}\n",
		"locals {\n  x = <<EOT\nno end\n}\n",
		"account \"a\" {\r  id = \"111111111111\"\r}\r",
		`locals { a = 1 a = 2 }` + "\n" + `locals { a = 3 }`,
		`policy "p" { account = "111111111111" name = "P" document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}" }`,
		"locals {\n  x = [" + strings.Repeat("\"v\", ", 20000) + "]\n}\n",
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

// FuzzLoadJSON is FuzzLoad for a stack file in HCL's JSON syntax, with a
// -var-file in JSON too: the same text is given as both.
func FuzzLoadJSON(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "invalid", "*.hcl.json"))
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{}`,
		`{"account": {"a": {"id": "111111111111"}}}`,
		`{"variable": {"v": {}}, "v": ` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
		`{"locals": {"x": ` + strings.Repeat("[", 254) + strings.Repeat("]", 254) + `}}`,
		`{"locals": {"x": "${` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}"}}`,
		"\uFEFF{\"account\": {\"a\": {\"id\": \"111111111111\"}}}",
		`{"account": {"a": {"id": "111111111111", "id": "222222222222"}}, "account": {"a": {}}}`,
		`{"locals": {"x": [` + strings.Repeat(`"v", `, 20000) + `"v"]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		dir := t.TempDir()
		file := filepath.Join(dir, "main.hcl.json")
		vars := filepath.Join(dir, "vars.json")
		if err := os.WriteFile(file, src, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vars, src, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, _, diags := schema.LoadFiles([]string{file}, schema.Options{Env: []string{}, VarFiles: []string{vars}})
		_, onlyQuotas := schema.QuotaAccounts(diags)
		if (diags.HasErrors() && !onlyQuotas) != (cfg == nil) {
			t.Fatalf("errors: %v (only quotas: %v), config: %v", diags.HasErrors(), onlyQuotas, cfg != nil)
		}
	})
}
