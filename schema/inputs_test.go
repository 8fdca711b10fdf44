package schema_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/trustform/trustform/schema"
)

// A load given the values LoadInputs recorded, and no other source, gives
// the variables exactly the same values: a string that looks like a number
// stays a string, a set stays a set. The files read, file() included, are
// digested.
func TestLoadInputsRoundTrip(t *testing.T) {
	dir := writeStack(t, map[string]string{
		"main.hcl": `
variable "v" {}
variable "ids" {
  type = set(string)
}
account "a" {
  id = "111111111111"
}
policy "p" {
  account     = account.a
  name        = "P"
  document    = file("policies/p.json")
  description = jsonencode([var.v, var.ids])
}
`,
		"policies/p.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`,
	})
	for _, tc := range []struct {
		name, v, want string
	}{
		{"string that looks like a number", `v="3600"`, `["3600",["a","b"]]`},
		{"leading zero kept as typed", `v=012345678901`, `["012345678901",["a","b"]]`},
		{"number", `v=3600`, `[3600,["a","b"]]`},
		{"object", `v={a = 1, b = ["x"]}`, `[{"a":1,"b":["x"]},["a","b"]]`},
		{"template characters", `v="$${x} %%{y}"`, `["${x} %{y}",["a","b"]]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := schema.Options{Vars: []string{tc.v, `ids=["b","a","b"]`}, Env: noEnv}
			cfg, files, diags, in := schema.LoadInputs(dir, opts)
			if diags.HasErrors() {
				t.Fatal(renderDiags(diags, files))
			}
			if got := cfg.Policies[0].Description; got != tc.want {
				t.Fatalf("description %s, want %s", got, tc.want)
			}
			again, files, diags, in2 := schema.LoadInputs(dir, schema.Options{Values: in.Values, Env: noEnv})
			if diags.HasErrors() {
				t.Fatal(renderDiags(diags, files))
			}
			if got := again.Policies[0].Description; got != tc.want {
				t.Fatalf("loaded with the recorded values: description %s, want %s", got, tc.want)
			}
			if !reflect.DeepEqual(in.Values, in2.Values) {
				t.Fatalf("values differ: %v, then %v", in.Values, in2.Values)
			}
			if len(in.Files) != 2 || !strings.HasPrefix(in.Files["main.hcl"], "sha256:") || !strings.HasPrefix(in.Files["policies/p.json"], "sha256:") || !reflect.DeepEqual(in.Files, in2.Files) {
				t.Fatalf("files digested: %v, then %v", in.Files, in2.Files)
			}
		})
	}
}

// Recorded values override every other source, and a recorded variable the
// stack no longer declares is an error.
func TestLoadRecordedValues(t *testing.T) {
	dir := writeStack(t, map[string]string{"main.hcl": `
variable "id" {
  type    = string
  default = "111111111111"
}
account "a" {
  id = var.id
}
`})
	_, _, _, in := schema.LoadInputs(dir, schema.Options{Vars: []string{"id=222222222222"}, Env: noEnv})
	cfg := mustLoad(t, dir, schema.Options{Values: in.Values, Env: []string{"TRUSTFORM_VAR_id=333333333333"}})
	if got := cfg.Accounts[0].ID; got != "222222222222" {
		t.Fatalf("account id %s, want the recorded 222222222222", got)
	}
	in.Values["gone"] = in.Values["id"]
	if got := loadErrors(t, dir, schema.Options{Values: in.Values}); !strings.Contains(got, `records a value for "gone"`) {
		t.Fatalf("undeclared recorded variable:\n%s", got)
	}
}
