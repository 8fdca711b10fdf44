package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
	"github.com/trustform/trustform/engine/planfile"
	"github.com/trustform/trustform/providers/local"
)

// copyDir copies a stack's files (not its directories, so no simulation
// state a previous run left) into a temporary directory.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// documents lists every policy document of a state by where it sits, the
// stack's own ledgers left out: adoption must leave all of them as they were.
func documents(s *model.State) map[string]string {
	out := map[string]string{}
	for id, a := range s.Accounts {
		for _, r := range a.Roles {
			out[id+" role "+r.Name+" trust"] = r.TrustPolicy
			for n, d := range r.InlinePolicies {
				out[id+" role "+r.Name+" inline "+n] = d
			}
		}
		for _, p := range a.Policies {
			if !strings.HasPrefix(p.Name, "trustform.") {
				out[id+" policy "+p.Name] = p.Document
			}
		}
		for _, g := range a.Groups {
			for n, d := range g.InlinePolicies {
				out[id+" group "+g.Name+" inline "+n] = d
			}
		}
		for _, u := range a.Users {
			for n, d := range u.InlinePolicies {
				out[id+" user "+u.Name+" inline "+n] = d
			}
		}
	}
	return out
}

// TestImportTutorialLocal sets the tutorial up without trustform (the seed),
// imports both accounts, and checks that the next plan only adopts, that
// the adopting apply leaves every document as it was, and that a plan after
// it is empty.
func TestImportTutorialLocal(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "..", "testdata", "import", "tutorial"))
	state := filepath.Join(dir, ".trustform")
	before := snapshot(t, state, filepath.Join(dir, local.SeedFile))

	for _, acct := range []string{"production", "development"} {
		r := mustRun(t, 0, "import", "--account", acct, dir)
		if !strings.Contains(r.stdout, "changes no document") {
			t.Errorf("import %s did not check clean:\n%s", acct, r.stdout)
		}
		got, err := os.ReadFile(filepath.Join(dir, "imported-"+acct+".hcl"))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, filepath.Join("..", "..", "testdata", "import", acct+".hcl.golden"), string(got))
	}
	r := mustRun(t, 0, "import", "--account", "production", "-out", "-", dir)
	if out := r.stdout + r.stderr; !strings.Contains(out, `trustform stack "platform" owns it`) || !strings.Contains(out, "service-linked role") {
		t.Errorf("import does not say why roles are left out:\n%s", out)
	}

	r = mustRun(t, 2, "plan", "-json", "-detailed-exitcode", dir)
	var doc planfile.Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	adoptions := 0
	for _, c := range doc.Changes {
		switch {
		case c.Action == string(model.Adopt):
			adoptions++
			for _, a := range c.Attributes {
				if a.Name != "tags."+ownership.OwnerTagKey && !ownership.IsAppliedTag(strings.TrimPrefix(a.Name, "tags.")) {
					t.Errorf("adoption of %s changes %s", c.Object, a.Name)
				}
			}
		case engine.IsLedgerAddress(c.Address) && c.Action == string(model.Create):
		default:
			t.Errorf("the plan after import does more than adopt: %s %s (%s)", c.Action, c.Object, c.Address)
		}
	}
	// production: read-write-app-bucket, Auditor, UpdateApp; development:
	// Developers, Testers, David, Tess.
	if adoptions != 7 || doc.Summary.Adopt != 7 {
		t.Errorf("%d adoptions (summary %d), want 7", adoptions, doc.Summary.Adopt)
	}
	if len(doc.AccessChanges) != 0 {
		t.Errorf("adoption changes who can assume what: %+v", doc.AccessChanges)
	}

	r = mustRun(t, 0, "apply", "-auto-approve", dir)
	if !strings.Contains(r.stdout, "7 adopted") {
		t.Errorf("apply does not report the adoptions:\n%s", r.stdout)
	}
	after := snapshot(t, state, "")
	if b, a := documents(before), documents(after); !maps.Equal(b, a) {
		for k := range b {
			if b[k] != a[k] {
				t.Errorf("%s changed:\n  before %s\n  after  %s", k, b[k], a[k])
			}
		}
		t.Fatalf("the adopting apply changed documents")
	}
	mustRun(t, 0, "plan", "-detailed-exitcode", dir)
	r = mustRun(t, 0, "import", "--account", "development", "-out", "-", dir)
	if !strings.Contains(r.stdout, "Nothing to import") {
		t.Errorf("import after adoption finds objects again:\n%s", r.stdout)
	}
}

// TestImportGroupKeepsItsMembers adopts one group with --match: its members,
// left out, are declared existing = true, and the adopting apply leaves them
// in the group — the plan after it has nothing to do, where it would have to
// put them back had the apply taken them out.
func TestImportGroupKeepsItsMembers(t *testing.T) {
	dir := copyDir(t, filepath.Join("..", "..", "testdata", "import", "tutorial"))
	r := mustRun(t, 0, "import", "--account", "development", "--match", "Developers", dir)
	if !strings.Contains(r.stdout, "changes no document") {
		t.Fatalf("import's check finds changes:\n%s", r.stdout)
	}
	r = mustRun(t, 0, "apply", "-auto-approve", dir)
	if strings.Contains(r.stdout, "membership") {
		t.Fatalf("the adopting apply changes a membership:\n%s", r.stdout)
	}
	mustRun(t, 0, "plan", "-detailed-exitcode", dir)
}

func TestImportRefusalsAndMatch(t *testing.T) {
	fixture := filepath.Join("..", "..", "testdata", "import", "tutorial")
	tests := []struct {
		name       string
		args       []string
		setup      func(t *testing.T, dir string)
		code       int
		wantStdout []string
		wantStderr []string
		notStdout  []string
	}{
		{
			name:       "an undeclared account is named with the declared ones",
			args:       []string{"--account", "staging"},
			code:       1,
			wantStderr: []string{`no account "staging"`, "production, development"},
		},
		{
			name: "an existing file is never overwritten",
			args: []string{"--account", "production"},
			setup: func(t *testing.T, dir string) {
				if err := os.WriteFile(filepath.Join(dir, "imported-production.hcl"), []byte("# mine\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			code:       1,
			wantStderr: []string{"imported-production.hcl exists"},
		},
		{
			name:       "match keeps the user and declares its group existing",
			args:       []string{"--account", "development", "--match", "Dav*", "-out", "-"},
			wantStdout: []string{`user "david"`, `groups  = [group.developers]`, "existing = true"},
			notStdout:  []string{`user "tess"`, "adopt = true\n  managed_policies"},
		},
		{
			name:       "match on a group adopts it and declares its members existing, so they stay in it",
			args:       []string{"--account", "development", "--match", "Developers", "-out", "-"},
			wantStdout: []string{`group "developers"`, `user "david"`, "existing = true", "groups   = [group.developers]"},
			notStdout:  []string{`user "tess"`, "membership"},
		},
		{
			name: "a member the stack declares without the adopted group is named by the check",
			args: []string{"--account", "development", "--match", "Developers"},
			setup: func(t *testing.T, dir string) {
				f, err := os.OpenFile(filepath.Join(dir, "stack.hcl"), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := f.WriteString("\nuser \"david\" {\n  account  = account.development\n  name     = \"David\"\n  existing = true\n}\n"); err != nil {
					t.Fatal(err)
				}
			},
			code:       1,
			wantStdout: []string{`delete membership of user "David" in group "Developers"`},
			wantStderr: []string{"do not reproduce the account exactly"},
		},
		{
			name:       "a bad pattern is an error",
			args:       []string{"--account", "development", "--match", "[", "-out", "-"},
			code:       1,
			wantStderr: []string{"not a valid pattern"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, fixture)
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			r := mustRun(t, tc.code, append(append([]string{"import"}, tc.args...), dir)...)
			for _, w := range tc.wantStdout {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tc.notStdout {
				if strings.Contains(r.stdout, w) {
					t.Errorf("stdout has %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tc.wantStderr {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
		})
	}
}

// policyDocuments picks every policy document out of an account as the aws
// CLI reads it (GetAccountAuthorizationDetails), the stack's ledgers left
// out, as canonical JSON text keyed by where it sits.
func policyDocuments(t *testing.T, details map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	text := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	list := func(name string) []map[string]any {
		items, _ := details[name].([]any)
		var ms []map[string]any
		for _, it := range items {
			ms = append(ms, it.(map[string]any))
		}
		return ms
	}
	inline := func(prefix string, m map[string]any, field string) {
		items, _ := m[field].([]any)
		for _, it := range items {
			p := it.(map[string]any)
			out[prefix+" inline "+p["PolicyName"].(string)] = text(p["PolicyDocument"])
		}
	}
	for _, r := range list("RoleDetailList") {
		out["role "+r["RoleName"].(string)+" trust"] = text(r["AssumeRolePolicyDocument"])
		inline("role "+r["RoleName"].(string), r, "RolePolicyList")
	}
	for _, g := range list("GroupDetailList") {
		inline("group "+g["GroupName"].(string), g, "GroupPolicyList")
	}
	for _, u := range list("UserDetailList") {
		inline("user "+u["UserName"].(string), u, "UserPolicyList")
	}
	for _, p := range list("Policies") {
		arn := p["Arn"].(string)
		if strings.Contains(arn, ":policy/trustform/") || strings.Contains(arn, ":iam::aws:policy/") {
			continue
		}
		versions, _ := p["PolicyVersionList"].([]any)
		for _, v := range versions {
			if pv := v.(map[string]any); pv["IsDefaultVersion"] == true {
				out["policy "+arn] = text(pv["Document"])
			}
		}
	}
	return out
}

// TestImportTutorialOnMoto sets the tutorial up by hand (with the SDK, the
// calls the tutorial's aws CLI steps make), imports both accounts, applies
// the adoption and checks that no document changed and that the next plan
// is empty.
func TestImportTutorialOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	moto := motoWithAWSCLI(t)
	dir := copyDir(t, filepath.Join("..", "..", "testdata", "import", "tutorial"))
	if err := os.Remove(filepath.Join(dir, local.SeedFile)); err != nil {
		t.Fatal(err)
	}
	seedDevelopment(t, moto, "111111111111") // as seed-aws.sh does (see devProdOnMoto)
	ctx := context.Background()
	prodIAM, devIAM := moto.IAM("999999999999"), moto.IAM("111111111111")
	for _, err := range []error{
		second(prodIAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: sdkaws.String("read-write-app-bucket"), Description: sdkaws.String("Read and write the productionapp bucket"), PolicyDocument: sdkaws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"},` +
				`{"Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketLocation"],"Resource":"arn:aws:s3:::productionapp"},` +
				`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::productionapp/*"}]}`)})),
		second(prodIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdkaws.String("UpdateApp"), AssumeRolePolicyDocument: sdkaws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`)})),
		second(prodIAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: sdkaws.String("UpdateApp"), PolicyArn: sdkaws.String("arn:aws:iam::999999999999:policy/read-write-app-bucket")})),
		second(devIAM.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: sdkaws.String("Developers"), PolicyName: sdkaws.String("allow-assume-S3-role-in-production"), PolicyDocument: sdkaws.String(
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::999999999999:role/UpdateApp"}}`)})),
		second(devIAM.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: sdkaws.String("Testers"), PolicyName: sdkaws.String("deny-assume-S3-role-in-production"), PolicyDocument: sdkaws.String(
			`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"arn:aws:iam::999999999999:role/UpdateApp"}}`)})),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Read with the aws CLI, an independent client.
	dev, prod := newAWSCLI(t, "111111111111"), newAWSCLI(t, "999999999999")
	before := map[string]map[string]string{"prod": policyDocuments(t, prod.authorizationDetails()), "dev": policyDocuments(t, dev.authorizationDetails())}

	args := func(cmd ...string) []string { return append(append(cmd, strings.Fields(awsFlags)...), dir) }
	for _, acct := range []string{"production", "development"} {
		r := mustRun(t, 0, args("import", "--account", acct)...)
		if !strings.Contains(r.stdout, "changes no document") {
			t.Errorf("import %s did not check clean:\n%s", acct, r.stdout)
		}
	}
	r := mustRun(t, 2, args("plan", "-json", "-detailed-exitcode")...)
	var doc planfile.Document
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Changes {
		if c.Action != string(model.Adopt) && !(engine.IsLedgerAddress(c.Address) && c.Action == string(model.Create)) {
			t.Errorf("the plan after import does more than adopt: %s %s (%s)", c.Action, c.Object, c.Address)
		}
	}
	// UpdateApp, read-write-app-bucket, Developers, Testers, David, Tess.
	if doc.Summary.Adopt != 6 {
		t.Errorf("the plan adopts %d objects, want 6", doc.Summary.Adopt)
	}
	// Through a saved plan, as a pipeline would: reading an adopted role in
	// full must not make the plan look stale.
	saved := filepath.Join(t.TempDir(), "adopt.tfplan")
	mustRun(t, 2, args("plan", "-detailed-exitcode", "-out", saved)...)
	mustRun(t, 0, "apply", saved)
	after := map[string]map[string]string{"prod": policyDocuments(t, prod.authorizationDetails()), "dev": policyDocuments(t, dev.authorizationDetails())}
	for acct := range before {
		if !maps.Equal(before[acct], after[acct]) {
			t.Errorf("%s: the adopting apply changed documents:\nbefore %v\nafter  %v", acct, before[acct], after[acct])
		}
	}
	if len(before["dev"]) != 2 || len(before["prod"]) != 2 {
		t.Errorf("the hand-made tutorial has %d documents in development and %d in production, want 2 and 2", len(before["dev"]), len(before["prod"]))
	}
	mustRun(t, 0, args("plan", "-detailed-exitcode")...)
	if tags := prod.run("iam", "list-role-tags", "--role-name", "UpdateApp"); !strings.Contains(tags, "trustform:stack") {
		t.Errorf("UpdateApp does not carry the ownership tag after adoption:\n%s", tags)
	}
}
