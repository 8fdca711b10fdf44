package schema_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/hashicorp/hcl/v2"
	"github.com/trustform/trustform/engine/policy"
	"github.com/trustform/trustform/schema"
)

// noEnv keeps the test process's own environment out of variable values.
var noEnv = []string{}

func mustLoad(t *testing.T, dir string, opts schema.Options) *model.Config {
	t.Helper()
	if opts.Env == nil {
		opts.Env = noEnv
	}
	cfg, files, diags := schema.Load(dir, opts)
	if diags.HasErrors() {
		t.Fatalf("unexpected diagnostics:\n%s", renderDiags(diags, files))
	}
	return cfg
}

func loadErrors(t *testing.T, dir string, opts schema.Options) string {
	t.Helper()
	if opts.Env == nil {
		opts.Env = noEnv
	}
	cfg, files, diags := schema.Load(dir, opts)
	if !diags.HasErrors() {
		t.Fatalf("expected errors, got none")
	}
	if cfg != nil {
		t.Errorf("Config is not nil despite errors")
	}
	return renderDiags(diags, files)
}

// writeStack writes files into a fresh stack directory.
func writeStack(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "stack")
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func doc(stmts ...policy.Statement) string {
	return policy.Document{Version: policy.Version, Statements: stmts}.JSON()
}

func asJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// TestLoadDevProd loads the design's reference scenario and compares the
// whole Config.
func TestLoadDevProd(t *testing.T) {
	dir := filepath.Join("testdata", "devprod")
	file := filepath.Join(dir, "main.hcl")
	src := func(line int) model.Source { return model.Source{Filename: file, Line: line, Column: 1} }
	const (
		dev  = "111111111111"
		prod = "999999999999"
	)
	roleARN := "arn:aws:iam::999999999999:role/UpdateApp"
	developers := model.PrincipalRef{Kind: model.KindGroup, Account: dev, Name: "Developers", ARN: "arn:aws:iam::111111111111:group/Developers"}
	testers := model.PrincipalRef{Kind: model.KindGroup, Account: dev, Name: "Testers", ARN: "arn:aws:iam::111111111111:group/Testers"}
	want := &model.Config{
		Stack: model.StackConfig{Name: "devprod", Target: "local", AssumeRoleName: "OrganizationAccountAccessRole", Dir: dir},
		Accounts: []*model.AccountConfig{
			{Address: "account.development", Name: "development", ID: dev, Partition: "aws", Source: src(14)},
			{Address: "account.production", Name: "production", ID: prod, Partition: "aws", Profile: "prod-admin",
				AssumeRole: &model.AssumeRoleConfig{RoleARN: "arn:aws:iam::999999999999:role/OrganizationAccountAccessRole", ExternalID: "..."},
				Source:     src(18)},
		},
		Groups: []*model.GroupConfig{
			{Address: "group.developers", Account: dev, Name: "Developers", Existing: true, Source: src(30)},
			{Address: "group.testers", Account: dev, Name: "Testers", Existing: true, Source: src(36)},
		},
		Users: []*model.UserConfig{
			{Address: "user.david", Account: dev, Name: "David", Path: "/", Groups: []string{"Developers"}, Existing: true, Source: src(42)},
			{Address: "user.tess", Account: dev, Name: "Tess", Path: "/", Groups: []string{"Testers"}, Existing: true, Source: src(49)},
		},
		Policies: []*model.PolicyConfig{{
			Address: "policy.read_write_app_bucket", Account: prod, Name: "read-write-app-bucket", Path: "/",
			Document: doc(
				policy.Statement{Effect: "Allow", Actions: []string{"s3:ListAllMyBuckets"}, Resources: []string{"*"}},
				policy.Statement{Effect: "Allow", Actions: []string{"s3:ListBucket", "s3:GetBucketLocation"}, Resources: []string{"arn:aws:s3:::productionapp"}},
				policy.Statement{Effect: "Allow", Actions: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, Resources: []string{"arn:aws:s3:::productionapp/*"}},
			),
			Source: src(56),
		}},
		Roles: []*model.RoleConfig{{
			Address: "role.update_app", Account: prod, Name: "UpdateApp", Path: "/", MaxSessionDuration: 3600,
			TrustDocument: doc(policy.Statement{
				Effect: "Allow", Actions: []string{"sts:AssumeRole"},
				Principals: map[string][]string{"AWS": {"arn:aws:iam::111111111111:root"}},
			}),
			ManagedPolicies: []string{"arn:aws:iam::999999999999:policy/read-write-app-bucket"},
			InlinePolicies: map[string]string{"notes": doc(policy.Statement{
				Effect: "Allow", Actions: []string{"s3:ListBucket"}, Resources: []string{"arn:aws:s3:::productionapp"},
			})},
			Tags:   map[string]string{"team": "platform"},
			Source: src(74),
		}},
		Grants: []*model.GrantConfig{
			{Address: "grant.developers_update_app", Effect: "Allow", To: []model.PrincipalRef{developers}, Roles: []string{roleARN}, Source: src(94)},
			{Address: "deny.testers_update_app", Effect: "Deny", To: []model.PrincipalRef{testers}, Roles: []string{roleARN}, Source: src(99)},
		},
		Expectations: []*model.ExpectConfig{
			{Address: "expect.david_can_update", CanAssume: roleARN, Source: src(104),
				Principal: &model.PrincipalRef{Kind: model.KindUser, Account: dev, Name: "David", ARN: "arn:aws:iam::111111111111:user/David"}},
			{Address: "expect.tess_cannot_update", CannotAssume: roleARN, Source: src(109),
				Principal: &model.PrincipalRef{Kind: model.KindUser, Account: dev, Name: "Tess", ARN: "arn:aws:iam::111111111111:user/Tess"}},
			{Address: "expect.only_developers", Role: roleARN, AssumableOnlyBy: []model.PrincipalRef{developers}, Source: src(114)},
		},
	}
	got := mustLoad(t, dir, schema.Options{})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Config differs\n--- got\n%s\n--- want\n%s", asJSON(got), asJSON(want))
	}
}

func orgOptions() schema.Options {
	return schema.Options{
		Vars: []string{
			"security_id=333333333333",
			`members={ a = "444444444444", b = "555555555555" }`,
			"vendor_external_id=ext-123",
		},
	}
}

// TestLoadOrg covers for_each organisations, role chaining to a specific
// role, MFA, an ExternalId, file(), the JSON syntax and references into
// for_each maps.
func TestLoadOrg(t *testing.T) {
	cfg := mustLoad(t, filepath.Join("testdata", "org"), orgOptions())

	roles := map[string]*model.RoleConfig{}
	for _, r := range cfg.Roles {
		roles[r.Address] = r
	}
	auditorARN := "arn:aws:iam::333333333333:role/security/Auditor"
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"account addresses", addresses(cfg.Accounts), []string{"account.security", `account.member["a"]`, `account.member["b"]`}},
		{"account instance name", cfg.Accounts[1].Name, `member["a"]`},
		{"account instance id", cfg.Accounts[2].ID, "555555555555"},
		// Source order: locals.hcl.json sorts before main.hcl; instances by key.
		{"role addresses", roleAddresses(cfg.Roles), []string{"role.break_glass", "role.auditor", `role.audit["a"]`, `role.audit["b"]`, "role.vendor"}},
		{"audit role account", roles[`role.audit["b"]`].Account, "555555555555"},
		{"audit trust: a specific role, with a condition", roles[`role.audit["a"]`].TrustDocument, doc(policy.Statement{
			Effect: "Allow", Actions: []string{"sts:AssumeRole"},
			Principals: map[string][]string{"AWS": {auditorARN}},
			Conditions: map[string]map[string][]string{"StringEquals": {"aws:PrincipalTag/team": {"security"}}},
		})},
		{"audit policy from a for_each map", roles[`role.audit["a"]`].ManagedPolicies, []string{"arn:aws:iam::444444444444:policy/audit-a"}},
		{"audit tags from each", roles[`role.audit["b"]`].Tags, map[string]string{"team": "security", "account": "b"}},
		{"auditor: MFA", roles["role.auditor"].TrustDocument, doc(policy.Statement{
			Effect: "Allow", Actions: []string{"sts:AssumeRole"},
			Principals: map[string][]string{"AWS": {"arn:aws:iam::333333333333:root"}},
			Conditions: map[string]map[string][]string{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}},
		})},
		{"auditor path", roles["role.auditor"].Path, "/security/"},
		{"vendor: external id", roles["role.vendor"].TrustDocument, doc(policy.Statement{
			Effect: "Allow", Actions: []string{"sts:AssumeRole"},
			Principals: map[string][]string{"AWS": {"arn:aws:iam::222222222222:root"}},
			Conditions: map[string]map[string][]string{"StringEquals": {"sts:ExternalId": {"ext-123"}}},
		})},
		{"vendor inline policy", roles["role.vendor"].InlinePolicies["read"], doc(policy.Statement{
			Sid: "ReadReports", Effect: "Allow", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::reports/*"},
			Conditions: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"true"}}},
		})},
		{"JSON syntax role tags from a local", roles["role.break_glass"].Tags, map[string]string{"origin": "org-333333333333"}},
		{"JSON syntax source", roles["role.break_glass"].Source.Filename, filepath.Join("testdata", "org", "locals.hcl.json")},
		{"policy document from file()", policy.Equivalent(cfg.Policies[0].Document,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"}]}`), true},
		{"policy names", []string{cfg.Policies[0].Name, cfg.Policies[1].Name}, []string{"audit-a", "audit-b"}},
		{"owned group path in ARN", cfg.Grants[0].To[0].ARN, "arn:aws:iam::333333333333:group/trustform/org/Auditors"},
		{"grant roles from values()", cfg.Grants[1].Roles, []string{"arn:aws:iam::444444444444:role/Audit", "arn:aws:iam::555555555555:role/Audit"}},
		{"grant to a role", cfg.Grants[1].To[0].Kind, model.KindRole},
		{"user groups and path", []string{cfg.Users[0].Path, strings.Join(cfg.Users[0].Groups, ",")}, []string{"/people/", "Auditors"}},
		{"expect for_each", cfg.Expectations[2].Address, `expect.only_auditor["b"]`},
		{"expect role", cfg.Expectations[2].Role, "arn:aws:iam::555555555555:role/Audit"},
		{"stack name from directory", cfg.Stack.Name, "org"},
		{"default target", cfg.Stack.Target, "local"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %s, want %s", asJSON(tt.got), asJSON(tt.want))
			}
		})
	}
}

func addresses(accounts []*model.AccountConfig) []string {
	var out []string
	for _, a := range accounts {
		out = append(out, a.Address)
	}
	return out
}

func roleAddresses(roles []*model.RoleConfig) []string {
	var out []string
	for _, r := range roles {
		out = append(out, r.Address)
	}
	return out
}

// TestVariablePrecedence checks the order default < TRUSTFORM_VAR_ < each
// -var-file in order < each -var in order.
func TestVariablePrecedence(t *testing.T) {
	dir := writeStack(t, map[string]string{"main.hcl": `
variable "security_id" {
  type    = string
  default = "000000000001"
}
variable "members" {
  type    = map(string)
  default = {}
}
account "security" {
  id = var.security_id
}
account "member" {
  for_each = var.members
  id       = each.value
}
`})
	first, _ := filepath.Abs(filepath.Join("testdata", "varfiles", "first.hcl"))
	second, _ := filepath.Abs(filepath.Join("testdata", "varfiles", "second.json"))
	tests := []struct {
		name    string
		opts    schema.Options
		want    string   // account.security id
		members []string // member account ids
	}{
		{"default", schema.Options{}, "000000000001", nil},
		{"environment over default", schema.Options{Env: []string{"TRUSTFORM_VAR_security_id=000000000002", "HOME=/x"}}, "000000000002", nil},
		{"var file over environment", schema.Options{Env: []string{"TRUSTFORM_VAR_security_id=000000000002"}, VarFiles: []string{first}}, "333333333333", []string{"444444444444"}},
		{"later var file wins", schema.Options{VarFiles: []string{first, second}}, "333333333333", []string{"555555555555", "666666666666"}},
		{"-var over var file", schema.Options{VarFiles: []string{first}, Vars: []string{"security_id=000000000003"}}, "000000000003", []string{"444444444444"}},
		{"later -var wins", schema.Options{Vars: []string{"security_id=000000000003", "security_id=000000000004"}}, "000000000004", nil},
		{"map from -var as HCL", schema.Options{Vars: []string{`members={x="777777777777"}`}}, "000000000001", []string{"777777777777"}},
		{"map from environment as HCL", schema.Options{Env: []string{`TRUSTFORM_VAR_members={x="888888888888"}`}}, "000000000001", []string{"888888888888"}},
		{"string var keeps text verbatim", schema.Options{Vars: []string{"security_id=012345678901"}}, "012345678901", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoad(t, dir, tt.opts)
			if got := cfg.Accounts[0].ID; got != tt.want {
				t.Errorf("security id = %q, want %q", got, tt.want)
			}
			var members []string
			for _, a := range cfg.Accounts[1:] {
				members = append(members, a.ID)
			}
			if !reflect.DeepEqual(members, tt.members) {
				t.Errorf("members = %v, want %v", members, tt.members)
			}
		})
	}
}

// TestUntypedVariables checks how -var text becomes a value when the
// variable has no type.
func TestUntypedVariables(t *testing.T) {
	dir := writeStack(t, map[string]string{"main.hcl": `
variable "v" {}
locals {
  v = var.v
}
account "a" {
  id = "111111111111"
}
role "r" {
  account = account.a
  name    = "R"
  trust {
    accounts = [account.a]
  }
  description = jsonencode(local.v)
}
`})
	tests := []struct{ raw, want string }{
		{"012345678901", `"012345678901"`}, // leading zero: kept as typed
		{"999999999999", `999999999999`},
		{"us-east-1", `"us-east-1"`}, // not an expression
		{"true", `true`},
		{`["a","b"]`, `["a","b"]`},
		{`{a = 1}`, `{"a":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			cfg := mustLoad(t, dir, schema.Options{Vars: []string{"v=" + tt.raw}})
			if got := cfg.Roles[0].Description; got != tt.want {
				t.Errorf("v = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestOptionErrors covers problems in the options rather than the files.
func TestOptionErrors(t *testing.T) {
	dir := writeStack(t, map[string]string{"main.hcl": `
variable "max" {
  type    = number
  default = 3600
}
variable "ids" {
  type    = list(string)
  default = []
}
account "a" {
  id = "111111111111"
}
`})
	tests := []struct {
		name string
		opts schema.Options
		want []string
	}{
		{"undeclared -var", schema.Options{Vars: []string{"mx=1"}}, []string{"Value for undeclared variable", `Did you mean "max"?`}},
		{"-var without =", schema.Options{Vars: []string{"max"}}, []string{"Invalid -var option", "name=value"}},
		{"-var of the wrong type", schema.Options{Vars: []string{"max=abc"}}, []string{"Invalid value for variable", "number"}},
		{"-var that is not HCL", schema.Options{Vars: []string{"ids=[unclosed"}}, []string{"-var ids value", "list(string)", "Invalid value for variable"}},
		{"environment of the wrong type", schema.Options{Env: []string{"TRUSTFORM_VAR_max=[1]"}}, []string{"TRUSTFORM_VAR_max", "a number is required"}},
		{"missing var file", schema.Options{VarFiles: []string{filepath.Join(dir, "nope.hcl")}}, []string{"nope.hcl"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadErrors(t, dir, tt.opts)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("diagnostics lack %q:\n%s", w, got)
				}
			}
		})
	}
}

// TestVarFileWarnsOnUndeclared: var files are shared between stacks, so an
// unknown name in one is a warning, not an error.
func TestVarFileWarnsOnUndeclared(t *testing.T) {
	second, _ := filepath.Abs(filepath.Join("testdata", "varfiles", "second.json"))
	dir := writeStack(t, map[string]string{"main.hcl": `
variable "members" {
  type = map(string)
}
`})
	cfg, _, diags := schema.Load(dir, schema.Options{VarFiles: []string{second}, Env: noEnv})
	if diags.HasErrors() || cfg == nil {
		t.Fatalf("unexpected errors: %v", diags)
	}
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || !strings.Contains(diags[0].Detail, "unknown_thing") {
		t.Errorf("want one warning about unknown_thing, got %v", diags)
	}
}

// TestMutualTrust: two roles that trust each other refer to each other's
// ARN from their bodies, which is not a cycle.
func TestMutualTrust(t *testing.T) {
	dir := writeStack(t, map[string]string{"main.hcl": `
account "a" {
  id = "111111111111"
}
role "ping" {
  account = account.a
  name    = "Ping"
  trust {
    principals = [role.pong]
  }
}
role "pong" {
  account = account.a
  name    = "Pong"
  trust {
    principals = [role.ping.arn]
  }
}
`})
	cfg := mustLoad(t, dir, schema.Options{})
	if !strings.Contains(cfg.Roles[0].TrustDocument, "role/Pong") || !strings.Contains(cfg.Roles[1].TrustDocument, "role/Ping") {
		t.Errorf("trust documents: %s / %s", cfg.Roles[0].TrustDocument, cfg.Roles[1].TrustDocument)
	}
}

// TestLocalsAndBlocks: locals may read blocks and blocks may read locals, in
// any declaration order, and every listed function is there.
func TestLocalsAndBlocks(t *testing.T) {
	dir := writeStack(t, map[string]string{
		"b.hcl": `
locals {
  role_arns = [for r in values(role.member) : r.arn]
  names     = { for k, r in role.member : k => r.name }
  prefix    = upper(format("%s-%s", "team", lower("X")))
}
`,
		"a.hcl": `
locals {
  ids = { a = "111111111111", b = "222222222222" }
}
account "member" {
  for_each = local.ids
  id       = each.value
}
role "member" {
  for_each = account.member
  account  = each.value
  name     = "${local.prefix}-${each.key}"
  trust {
    accounts = [each.value]
  }
}
role "hub" {
  account = account.member["a"]
  name    = "Hub"
  trust {
    principals = local.role_arns
  }
  tags = {
    names    = join("+", sort(values(local.names)))
    count    = tostring(length(local.role_arns))
    strlen   = length("abc")
  }
  description = jsonencode([
      concat(["a"], ["b"]), merge({ x = 1 }, { y = 2 }), replace("a-b", "-", "_"), trimspace(" t "),
      keys({ k = 1 }), lookup({ k = "v" }, "k", "d"), contains(["a"], "a"), distinct(["a", "a"]),
      flatten([["a"], ["b"]]), coalesce("", "c"), compact(["", "d"]), tolist(toset(["e"])), tomap({ f = "g" }),
      tonumber("1"), tobool("true"), range(2), element(["h"], 0), zipmap(["i"], ["j"]),
      setunion(["k"], ["l"]), min(1, 2), max(1, 2), abs(-3), split(",", "m,n"), formatlist("%s!", ["o"]),
      jsondecode("{\"p\":1}"),
    ])
}
`})
	cfg := mustLoad(t, dir, schema.Options{})
	var hub *model.RoleConfig
	for _, r := range cfg.Roles {
		if r.Address == "role.hub" {
			hub = r
		}
	}
	if hub == nil {
		t.Fatal("no role.hub")
	}
	wantTags := map[string]string{
		"names":  "TEAM-X-a+TEAM-X-b",
		"count":  "2",
		"strlen": "3",
	}
	wantDesc := `[["a","b"],{"x":1,"y":2},"a_b","t",["k"],"v",true,["a"],["a","b"],"c",["d"],["e"],{"f":"g"},1,true,[0,1],"h",{"i":"j"},["k","l"],1,2,3,["m","n"],["o!"],{"p":1}]`
	if !reflect.DeepEqual(hub.Tags, wantTags) {
		t.Errorf("tags = %s", asJSON(hub.Tags))
	}
	if hub.Description != wantDesc {
		t.Errorf("functions: got\n%s\nwant\n%s", hub.Description, wantDesc)
	}
	if !strings.Contains(hub.TrustDocument, "arn:aws:iam::222222222222:role/TEAM-X-b") {
		t.Errorf("trust = %s", hub.TrustDocument)
	}
}

// TestErrorsAreAllReported: independent problems in one stack are reported
// together, not one per run.
func TestErrorsAreAllReported(t *testing.T) {
	dir := writeStack(t, map[string]string{"main.hcl": `
account "a" {
  id = "123"
}
role "r" {
  account              = account.a
  name                 = "bad name"
  max_session_duration = 10
  trust {
    services = ["ec2.amazonaws.com"]
  }
}
user "u" {
  account = account.nope
  name    = "u"
}
`})
	got := loadErrors(t, dir, schema.Options{})
	for _, w := range []string{"Invalid account id", "Invalid max_session_duration", "Reference to undeclared account"} {
		if !strings.Contains(got, w) {
			t.Errorf("diagnostics lack %q:\n%s", w, got)
		}
	}
}

func TestStackDirectory(t *testing.T) {
	tests := []struct {
		name    string
		dirName string
		files   map[string]string
		want    string
		wantErr string
	}{
		{"name from directory", "my stack.v2", map[string]string{"a.hcl": ""}, "my-stack-v2", ""},
		{"stack block wins", "whatever", map[string]string{"a.hcl": `stack "devprod" { target = "aws" }`}, "devprod", ""},
		{"no files", "empty", map[string]string{"README.md": "x"}, "", "No configuration files"},
		{"two stack blocks", "two", map[string]string{"a.hcl": `stack "a" {}`, "b.hcl": `stack "b" {}`}, "", "Duplicate stack block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tt.dirName)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for n, text := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, n), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cfg, _, diags := schema.Load(dir, schema.Options{Env: noEnv})
			if tt.wantErr != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.wantErr) {
					t.Fatalf("want error %q, got %v", tt.wantErr, diags)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if cfg.Stack.Name != tt.want || cfg.Stack.Dir != dir {
				t.Errorf("stack = %+v, want name %q", cfg.Stack, tt.want)
			}
		})
	}
	if _, _, diags := schema.Load(filepath.Join(t.TempDir(), "missing"), schema.Options{}); !diags.HasErrors() {
		t.Error("a missing directory loaded without error")
	}
}
