package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/providers/local"
)

// managementID is the management account of the organisations these tests
// describe.
const managementID = "555555555555"

// guardrails changes an organisation out of band, as its administrators
// would: each function attaches (true) or detaches (false) a policy.
type guardrails struct {
	// scpOnDevelopmentOU denies sts:AssumeRole on the OU that holds
	// Development; rcpOnProduction denies it on Production's account.
	scpOnDevelopmentOU, rcpOnProduction func(t *testing.T, attached bool)
}

// declareOrganization adds the management account and the organization
// block to the dev-prod stack.
func declareOrganization(t *testing.T, dir string) {
	t.Helper()
	edit(t, filepath.Join(dir, "main.hcl"), `account "production" {`, `account "management" {
  id = "`+managementID+`"
}

organization {
  account = account.management
}

account "production" {`)
}

// checkGuardrails is the organisation's part in the access answers: with
// FullAWSAccess everywhere the tutorial's expectations pass; an SCP on
// Development's OU that denies sts:AssumeRole makes explain deny naming the
// SCP and the OU, who-can drop David and the can_assume expectation fail,
// until it is detached; an RCP on Production's account does the same,
// naming the RCP.
func checkGuardrails(t *testing.T, dir string, g guardrails, flags ...string) {
	t.Helper()
	args := func(cmd ...string) []string { return append(append(cmd, flags...), dir) }
	explainDavid := args("explain", "--principal", "user.david", "--resource", "role.update_app")
	whoCan := append([]string{"who-can", "assume", "role.update_app"}, args()...)

	// A saved plan covers the organisation: an SCP attached after the plan
	// was made makes its apply refuse, and nothing is changed.
	saved := filepath.Join(t.TempDir(), "p.plan")
	mustRun(t, 0, args("plan", "-out", saved)...)
	g.scpOnDevelopmentOU(t, true)
	r := mustRun(t, 1, "apply", saved)
	if !strings.Contains(r.stderr, "the accounts changed since the plan") {
		t.Fatalf("apply of a saved plan made before an SCP was attached was not refused as stale:\n%s\n%s", r.stdout, r.stderr)
	}
	g.scpOnDevelopmentOU(t, false)

	r = mustRun(t, 0, args("apply", "-auto-approve")...)
	if !strings.Contains(r.stdout, "3 passed, 0 failed.") {
		t.Fatalf("with FullAWSAccess everywhere the expectations do not all pass:\n%s", r.stdout)
	}
	r = mustRun(t, 0, explainDavid...)
	if strings.Contains(r.stdout, "SCPs (and RCPs) are not evaluated") {
		t.Errorf("the organisation was read, but explain says SCPs are not evaluated:\n%s", r.stdout)
	}

	for _, c := range []struct {
		name   string
		set    func(t *testing.T, attached bool)
		reason string
	}{
		{"SCP", g.scpOnDevelopmentOU, `Deny: SCP "deny-assume" (`},
		{"RCP", g.rcpOnProduction, `Deny: RCP "deny-assume-rcp" (`},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.set(t, true)
			r := mustRun(t, exitDenied, explainDavid...)
			where := `attached to organizational unit "Workloads" (`
			if c.name == "RCP" {
				where = "attached to account " + accountIDIn(t, r.stdout, "role/UpdateApp")
			}
			if !strings.Contains(r.stdout, c.reason) || !strings.Contains(r.stdout, where) {
				t.Errorf("explain does not name the %s and where it is attached (%q):\n%s", c.name, where, r.stdout)
			}
			r = mustRun(t, 0, whoCan...)
			if strings.Contains(r.stdout, "user/David") {
				t.Errorf("who-can still lists David under the %s:\n%s", c.name, r.stdout)
			}
			r = mustRun(t, 1, args("plan", "-no-color")...)
			if !strings.Contains(r.stdout, "FAIL  expect.david_can_update") || !strings.Contains(r.stdout, c.reason) {
				t.Errorf("the plan's can_assume expectation does not fail with the %s's reason:\n%s", c.name, r.stdout)
			}
			// The stack's access record, written by the apply above, says
			// David could assume the role: the plan shows that he lost it
			// without the stack.
			if !strings.Contains(r.stdout, outsideHeader) || !strings.Contains(r.stdout, `- user "David" in `) {
				t.Errorf("the plan does not show David's loss under the %s as a change outside the stack:\n%s", c.name, r.stdout)
			}
			c.set(t, false)
			r = mustRun(t, 0, args("plan", "-no-color")...)
			if !strings.Contains(r.stdout, "3 passed, 0 failed.") {
				t.Errorf("with the %s detached the expectations do not all pass:\n%s", c.name, r.stdout)
			}
			if strings.Contains(r.stdout, outsideHeader) {
				t.Errorf("with the %s detached again the accounts are as recorded, yet the plan shows changes outside the stack:\n%s", c.name, r.stdout)
			}
		})
	}

	// Applied with the guardrail attached (the expectation it breaks set
	// aside), the record says David cannot assume the role; detaching it
	// out of band then shows in the next plan as access the stack did not
	// change, in the text and in the JSON plan, and not in the plan's own
	// access changes.
	for _, c := range []struct {
		name string
		set  func(t *testing.T, attached bool)
	}{{"SCP", g.scpOnDevelopmentOU}, {"RCP", g.rcpOnProduction}} {
		t.Run(c.name+" detached out of band", func(t *testing.T) {
			c.set(t, true)
			file := filepath.Join(dir, "development.hcl")
			expectation := "expect \"david_can_update\" {\n  principal  = user.david\n  can_assume = role.update_app\n}\n"
			edit(t, file, expectation, "")
			mustRun(t, 0, args("apply", "-auto-approve")...)
			edit(t, file, `expect "tess_cannot_update" {`, expectation+"\n"+`expect "tess_cannot_update" {`)
			c.set(t, false)
			r := mustRun(t, 0, args("plan", "-no-color")...)
			if !strings.Contains(r.stdout, outsideHeader) || !regexp.MustCompile(`\+ user "David" in \d{12} can assume role "UpdateApp" in \d{12} with no condition`).MatchString(r.stdout) {
				t.Errorf("the plan does not show David's regained access as a change outside the stack:\n%s", r.stdout)
			}
			if !strings.Contains(r.stdout, "3 passed, 0 failed.") {
				t.Errorf("with the %s detached the expectations do not all pass:\n%s", c.name, r.stdout)
			}
			r = mustRun(t, 0, args("plan", "-json")...)
			var doc struct {
				AccessChanges []struct{ Principal string } `json:"access_changes"`
				AccessOutside []struct {
					Role, Principal string
					Before, After   []string
				} `json:"access_outside"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
				t.Fatalf("plan -json: %v\n%s", err, r.stdout)
			}
			if len(doc.AccessOutside) != 1 || !strings.HasSuffix(doc.AccessOutside[0].Principal, ":user/David") || doc.AccessOutside[0].Before != nil || doc.AccessOutside[0].After == nil {
				t.Errorf("the JSON plan's access_outside is not David gaining the role: %+v", doc.AccessOutside)
			}
			if len(doc.AccessChanges) != 0 {
				t.Errorf("the plan itself changes no access, yet its access_changes are %+v", doc.AccessChanges)
			}
			// Applying records it: the next plan is as the record says.
			mustRun(t, 0, args("apply", "-auto-approve")...)
			r = mustRun(t, 0, args("plan", "-no-color", "-detailed-exitcode")...)
			if strings.Contains(r.stdout, outsideHeader) {
				t.Errorf("after the apply recorded it, the plan still shows changes outside the stack:\n%s", r.stdout)
			}
		})
	}
}

// outsideHeader begins the plan's section of access changed outside the
// stack.
const outsideHeader = "Access changed outside the stack since its last apply"

// accountIDIn is the account ID of the first ARN in text ending in suffix.
func accountIDIn(t *testing.T, text, suffix string) string {
	t.Helper()
	for _, f := range strings.Fields(text) {
		f = strings.Trim(f, "(),;")
		if strings.HasPrefix(f, "arn:aws:iam::") && strings.HasSuffix(f, suffix) {
			return strings.Split(f, ":")[4]
		}
	}
	t.Fatalf("no ARN ending in %s in:\n%s", suffix, text)
	return ""
}

// TestGuardrailsLocal is the organisation on the local target, described in
// the seed and changed out of band through the local provider.
func TestGuardrailsLocal(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	declareOrganization(t, dir)
	seedPath := filepath.Join(dir, local.SeedFile)
	var seed map[string]any
	b, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &seed); err != nil {
		t.Fatal(err)
	}
	deny := json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}`)
	denyRCP := json.RawMessage(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`)
	spec := func(scp, rcp bool) *model.OrganizationSpec {
		s := &model.OrganizationSpec{ID: "o-test000001", ManagementAccount: managementID,
			PolicyTypes: []string{model.SCPType, model.RCPType}, Root: model.OrgRootSpec{ID: "r-test"},
			Units:    map[string]*model.OrgUnitSpec{"ou-test-workloads": {Name: "Workloads", Parent: "r-test"}, "ou-test-production": {Name: "Production", Parent: "r-test"}},
			Accounts: map[string]*model.OrgAccountSpec{managementID: {Parent: "r-test"}, "111111111111": {Parent: "ou-test-workloads"}, "999999999999": {Parent: "ou-test-production"}},
			Policies: map[string]*model.OrgPolicySpec{
				"p-denyassume": {Name: "deny-assume", Type: model.SCPType, Document: deny},
				"p-denyrcp":    {Name: "deny-assume-rcp", Type: model.RCPType, Document: denyRCP},
			}}
		if scp {
			s.Units["ou-test-workloads"].SCPs = &[]string{model.FullAWSAccess.ID, "p-denyassume"}
		}
		if rcp {
			s.Accounts["999999999999"].RCPs = &[]string{"p-denyrcp"}
		}
		return s
	}
	seed["organization"] = spec(false, false)
	out, err := json.MarshalIndent(seed, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(seedPath, out, 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, ".trustform")
	var scpOn, rcpOn bool
	set := func(t *testing.T) {
		p, err := local.Open(local.Options{Dir: state, Seed: seedPath})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		if err := p.SetOrganization(spec(scpOn, rcpOn)); err != nil {
			t.Fatal(err)
		}
	}
	checkGuardrails(t, dir, guardrails{
		scpOnDevelopmentOU: func(t *testing.T, on bool) { scpOn = on; set(t) },
		rcpOnProduction:    func(t *testing.T, on bool) { rcpOn = on; set(t) },
	})
}

// TestGuardrailsOnMoto is the same on the aws target, the organisation made
// in moto with AWS Organizations' own calls: moto creates member accounts
// with IDs of its own choosing, so the stack is given them as variables.
func TestGuardrailsOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	moto := motoWithAWSCLI(t)
	ctx := context.Background()
	c := moto.Organizations(managementID)
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	check(err)
	roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
	check(err)
	root := sdkaws.ToString(roots.Roots[0].Id)
	for _, typ := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &root, PolicyType: typ})
		check(err)
	}
	member := func(name string) (account, ou string) {
		o, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: sdkaws.String(name)})
		check(err)
		a, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: sdkaws.String(name), Email: sdkaws.String(name + "@example.com")})
		check(err)
		account, ou = sdkaws.ToString(a.CreateAccountStatus.AccountId), sdkaws.ToString(o.OrganizationalUnit.Id)
		_, err = c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &account, SourceParentId: &root, DestinationParentId: &ou})
		check(err)
		return account, ou
	}
	devID, devOU := member("Workloads")
	prodID, _ := member("Production")
	policy := func(name string, typ orgtypes.PolicyType, doc string) string {
		p, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: &name, Type: typ, Description: sdkaws.String("test"), Content: &doc})
		check(err)
		return sdkaws.ToString(p.Policy.PolicySummary.Id)
	}
	scp := policy("deny-assume", orgtypes.PolicyTypeServiceControlPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}`)
	rcp := policy("deny-assume-rcp", orgtypes.PolicyTypeResourceControlPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`)
	attach := func(policy, target string) func(t *testing.T, on bool) {
		return func(t *testing.T, on bool) {
			var err error
			if on {
				_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &policy, TargetId: &target})
			} else {
				_, err = c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: &policy, TargetId: &target})
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	seedDevelopment(t, moto, devID)
	dir := copyExample(t, "dev-prod")
	declareOrganization(t, dir)
	flags := append(strings.Fields(awsFlags), "-var", "development_id="+devID, "-var", "production_id="+prodID)
	checkGuardrails(t, dir, guardrails{scpOnDevelopmentOU: attach(scp, devOU), rcpOnProduction: attach(rcp, prodID)}, flags...)
}
