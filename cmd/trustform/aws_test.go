package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go/middleware"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
	awsprovider "github.com/trustform/trustform/providers/aws"
	"github.com/trustform/trustform/providers/aws/mototest"
	"github.com/trustform/trustform/schema"
)

// awsCLI runs the aws CLI — an independent client — as the given account,
// reached like trustform reaches it: by assuming OrganizationAccountAccessRole.
type awsCLI struct {
	t       *testing.T
	account string
	creds   *[]string // assumed once: each aws CLI start costs a second
}

func newAWSCLI(t *testing.T, account string) awsCLI {
	return awsCLI{t: t, account: account, creds: new([]string)}
}

func requireAWSCLI(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the aws CLI is not installed, and CI=true requires these tests: pip install awscli")
		}
		t.Skip("the aws CLI is not installed: pip install awscli to run this test")
	}
}

func (c awsCLI) run(args ...string) string {
	c.t.Helper()
	if len(*c.creds) == 0 {
		creds := exec.Command("aws", "sts", "assume-role", "--role-arn", "arn:aws:iam::"+c.account+":role/OrganizationAccountAccessRole",
			"--role-session-name", "check", "--query", "Credentials.[AccessKeyId,SecretAccessKey,SessionToken]", "--output", "text")
		out, err := creds.CombinedOutput()
		if err != nil {
			c.t.Fatalf("aws sts assume-role: %v\n%s", err, out)
		}
		*c.creds = strings.Fields(string(out))
	}
	f := *c.creds
	cmd := exec.Command("aws", args...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+f[0], "AWS_SECRET_ACCESS_KEY="+f[1], "AWS_SESSION_TOKEN="+f[2], "AWS_DEFAULT_REGION=us-east-1")
	res, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, res)
	}
	return string(res)
}

// authorizationDetails is the account as the aws CLI reads it, as JSON.
func (c awsCLI) authorizationDetails() map[string]any {
	var v map[string]any
	if err := json.Unmarshal([]byte(c.run("iam", "get-account-authorization-details", "--output", "json")), &v); err != nil {
		c.t.Fatal(err)
	}
	return v
}

// unowned picks the objects named in names out of the account details, as
// canonical JSON text, so that "unchanged" means byte for byte.
func unowned(t *testing.T, details map[string]any) string {
	t.Helper()
	pick := map[string][]any{}
	keep := map[string]string{"RoleDetailList": "RoleName", "UserDetailList": "UserName", "GroupDetailList": "GroupName", "Policies": "PolicyName"}
	names := []string{"Legacy", "legacy-policy", "Visitor", "Developers", "Testers", "David", "Tess"}
	for list, field := range keep {
		items, _ := details[list].([]any)
		for _, it := range items {
			m := it.(map[string]any)
			if name, ok := m[field].(string); ok && slices.Contains(names, name) {
				pick[list] = append(pick[list], m)
			}
		}
	}
	b, _ := json.Marshal(pick)
	return string(b)
}

const awsFlags = "--target aws --assume-role-name OrganizationAccountAccessRole"

// devProdOnMoto starts moto for the test, points the SDK at it, and returns
// a copy of the dev-prod example whose Development account holds what the
// tutorial assumes (the groups, their PowerUserAccess, David and Tess), and
// the server. The account is filled by seedDevelopment, as seed-aws.sh
// fills it: the script costs nine aws CLI starts, ten seconds and more, and
// TestSeedScriptOnMoto runs it and checks that both make the same account.
func devProdOnMoto(t *testing.T) (string, *mototest.Server) {
	t.Helper()
	moto := motoWithAWSCLI(t)
	seedDevelopment(t, moto, "111111111111")
	return copyExample(t, "dev-prod"), moto
}

// motoWithAWSCLI starts moto for a test that also checks accounts with the
// aws CLI, and points the SDK (and the CLI) at it.
func motoWithAWSCLI(t *testing.T) *mototest.Server {
	t.Helper()
	requireAWSCLI(t)
	moto := mototest.Start(t)
	moto.Env(t)
	return moto
}

// seedDevelopment creates in the account on moto what
// examples/dev-prod/seed-aws.sh creates there, through the SDK.
func seedDevelopment(t *testing.T, moto *mototest.Server, account string) {
	t.Helper()
	ctx := context.Background()
	c := moto.IAM(account)
	for _, group := range []string{"Developers", "Testers"} {
		if _, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: &group}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: &group, PolicyArn: sdkaws.String("arn:aws:iam::aws:policy/PowerUserAccess")}); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range [][2]string{{"David", "Developers"}, {"Tess", "Testers"}} {
		if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: &m[0]}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: &m[0], GroupName: &m[1]}); err != nil {
			t.Fatal(err)
		}
	}
}

// second is the error of a call that also returns a value.
func second[T any](_ T, err error) error { return err }

// readAccountJSON reads an account with the aws target, as JSON text with
// the account's id replaced by "ID", so that two accounts compare.
func readAccountJSON(t *testing.T, id string) string {
	t.Helper()
	ctx := context.Background()
	p, err := awsprovider.New(ctx, awsprovider.Options{AssumeRoleName: "OrganizationAccountAccessRole"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Read(ctx, &model.AccountConfig{Name: id, ID: id, Partition: "aws"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), id, "ID")
}

// seed-aws.sh, which the dev-prod example has users run on AWS before the
// first apply, fills Development as seedDevelopment does, with which the
// other tests against moto fill it.
func TestSeedScriptOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	moto := motoWithAWSCLI(t)
	dir := copyExample(t, "dev-prod")
	if out, err := exec.Command("bash", filepath.Join(dir, "seed-aws.sh")).CombinedOutput(); err != nil {
		t.Fatalf("seed-aws.sh: %v\n%s", err, out)
	}
	const other = "777777777777"
	seedDevelopment(t, moto, other)
	if script, seed := readAccountJSON(t, "111111111111"), readAccountJSON(t, other); script != seed {
		t.Fatalf("seedDevelopment and seed-aws.sh fill an account differently:\nseed-aws.sh:     %s\nseedDevelopment: %s", script, seed)
	}
}

func TestDevProdOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	dir, moto := devProdOnMoto(t)
	dev, prod := newAWSCLI(t, "111111111111"), newAWSCLI(t, "999999999999")

	// Objects the stack does not own, there before the first apply.
	ctx := context.Background()
	handwritten := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	prodIAM, devIAM := moto.IAM("999999999999"), moto.IAM("111111111111")
	for _, err := range []error{
		second(prodIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdkaws.String("Legacy"), AssumeRolePolicyDocument: sdkaws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`)})),
		second(prodIAM.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: sdkaws.String("legacy-policy"), PolicyDocument: &handwritten})),
		second(devIAM.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: sdkaws.String("Developers"), PolicyName: sdkaws.String("handwritten"), PolicyDocument: &handwritten})),
		second(devIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: sdkaws.String("Visitor")})),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	beforeProd, beforeDev := unowned(t, prod.authorizationDetails()), unowned(t, dev.authorizationDetails())

	args := func(cmd ...string) []string { return append(append(cmd, strings.Fields(awsFlags)...), dir) }
	r := mustRun(t, 0, args("apply", "-auto-approve")...)
	if !strings.Contains(r.stdout, "as arn:aws:sts::999999999999:assumed-role/OrganizationAccountAccessRole/") {
		t.Fatalf("plan header does not show the identity used:\n%s", r.stdout)
	}
	r = mustRun(t, 0, args("plan", "-detailed-exitcode")...)
	if !strings.Contains(r.stdout, "3 passed, 0 failed.") {
		t.Fatalf("the expectations do not all pass on the aws target:\n%s", r.stdout)
	}
	// The access questions on the accounts as moto returns them.
	r = mustRun(t, exitDenied, args("explain", "--principal", "user.tess", "--resource", "role.update_app")...)
	if !strings.Contains(r.stdout, "trustform.devprod.deny.testers_update_app") {
		t.Fatalf("explain does not name the deny:\n%s", r.stdout)
	}
	mustRun(t, 0, args("explain", "--principal", "user.david", "--resource", "role.update_app", "--state", "actual")...)
	r = mustRun(t, 0, append([]string{"who-can", "assume", "role.update_app"}, args()...)...)
	if !strings.Contains(r.stdout, "user/David") || strings.Contains(r.stdout, "user/Tess") {
		t.Fatalf("who-can on moto:\n%s", r.stdout)
	}

	// What an independent client sees.
	role := prod.run("iam", "get-role", "--role-name", "UpdateApp", "--output", "json")
	for _, want := range []string{`"arn:aws:iam::111111111111:root"`, `"sts:AssumeRole"`, `"MaxSessionDuration": 3600`} {
		if !strings.Contains(role, want) {
			t.Errorf("get-role UpdateApp lacks %s:\n%s", want, role)
		}
	}
	if att := prod.run("iam", "list-attached-role-policies", "--role-name", "UpdateApp"); !strings.Contains(att, "arn:aws:iam::999999999999:policy/read-write-app-bucket") {
		t.Errorf("read-write-app-bucket is not attached to UpdateApp:\n%s", att)
	}
	for group, effect := range map[string]string{"Developers": "Allow", "Testers": "Deny"} {
		name := "trustform.devprod." + map[string]string{"Allow": "grant.developers_update_app", "Deny": "deny.testers_update_app"}[effect]
		doc := dev.run("iam", "get-group-policy", "--group-name", group, "--policy-name", name, "--output", "json")
		if !strings.Contains(doc, `"`+effect+`"`) || !strings.Contains(doc, "arn:aws:iam::999999999999:role/UpdateApp") {
			t.Errorf("%s's inline policy %s is not a %s of UpdateApp:\n%s", group, name, effect, doc)
		}
	}
	if got := unowned(t, prod.authorizationDetails()); got != beforeProd {
		t.Errorf("apply changed unowned objects in production:\nbefore %s\nafter  %s", beforeProd, got)
	}
	// The groups gained the stack's inline policies; everything else of them,
	// and every other unowned object, is unchanged after destroy.
	mustRun(t, 0, args("destroy", "-auto-approve")...)
	if got := unowned(t, prod.authorizationDetails()); got != beforeProd {
		t.Errorf("destroy changed unowned objects in production:\nbefore %s\nafter  %s", beforeProd, got)
	}
	if got := unowned(t, dev.authorizationDetails()); got != beforeDev {
		t.Errorf("apply and destroy changed unowned objects in development:\nbefore %s\nafter  %s", beforeDev, got)
	}
}

// callCounter counts IAM and STS operations on the wire.
type callCounter struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *callCounter) option(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("countCalls", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		c.mu.Lock()
		c.calls[middleware.GetServiceID(ctx)+":"+middleware.GetOperationName(ctx)]++
		c.mu.Unlock()
		return next.HandleInitialize(ctx, in)
	}), middleware.After)
}

func loadExample(t *testing.T, dir string) *model.Config {
	t.Helper()
	cfg, files, diags := schema.Load(dir, schema.Options{Env: []string{}})
	if diags.HasErrors() {
		var b strings.Builder
		schema.WriteDiagnostics(&b, files, diags, 0, false)
		t.Fatal(b.String())
	}
	return cfg
}

// A plan with nothing to change makes, per account, only the credential call
// (AssumeRole, whose answer also proves the account, so no GetCallerIdentity)
// and the GetAccountAuthorizationDetails pages — and, in an account holding
// the stack's roles, one call for their details: at most 2 calls an account
// beyond the pages.
func TestNoChangePlanCallsOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	dir, _ := devProdOnMoto(t)
	mustRun(t, 0, append(append([]string{"apply", "-auto-approve"}, strings.Fields(awsFlags)...), dir)...)

	cfg := loadExample(t, dir)
	counter := &callCounter{calls: map[string]int{}}
	p, err := awsprovider.New(context.Background(), awsprovider.Options{AssumeRoleName: "OrganizationAccountAccessRole", APIOptions: []func(*middleware.Stack) error{counter.option}})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := engine.MakePlan(context.Background(), cfg, p, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 0 {
		t.Fatalf("plan after apply has %d changes", len(plan.Changes))
	}
	// IAM's account read lacks a role's description and maximum session
	// duration, so the account holding the stack's role (production) costs
	// one more call: GetRole for a few owned roles, ListRoles (1,000 roles a
	// page) for many. Without it, drift in either would go unseen.
	calls := maps.Clone(counter.calls)
	roleDetails := calls["IAM:GetRole"] + calls["IAM:ListRoles"]
	delete(calls, "IAM:GetRole")
	delete(calls, "IAM:ListRoles")
	want := map[string]int{"STS:AssumeRole": 2, "IAM:GetAccountAuthorizationDetails": 2}
	if !equalCounts(calls, want) || roleDetails != 1 {
		t.Fatalf("no-change plan of 2 accounts made %v, want %v and one role-detail call", counter.calls, want)
	}
}

// Credentials that act in another account stop the run before any account
// is read, with both ids named, and not one write is made. Here the
// assume-role name is forgotten, so both accounts get the base identity,
// which acts in moto's default account.
func TestWrongAccountOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	moto := mototest.Start(t)
	moto.Env(t)
	dir := copyExample(t, "dev-prod")

	r := trustform(t, "apply", "-auto-approve", "--target", "aws", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "999999999999") || !strings.Contains(r.stderr, mototest.DefaultAccount) {
		t.Fatalf("exit %d, want 1 with both account ids named:\n%s%s", r.code, r.stdout, r.stderr)
	}

	cfg := loadExample(t, dir)
	counter := &callCounter{calls: map[string]int{}}
	p, err := awsprovider.New(context.Background(), awsprovider.Options{APIOptions: []func(*middleware.Stack) error{counter.option}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := engine.MakePlan(context.Background(), cfg, p, engine.PlanOptions{}); err == nil {
		t.Fatal("plan with credentials of another account succeeded")
	}
	if counter.calls["STS:GetCallerIdentity"] == 0 {
		t.Fatal("the identity was never checked")
	}
	for op, n := range counter.calls {
		if op != "STS:GetCallerIdentity" {
			t.Errorf("%d %s call(s) made despite the account mismatch", n, op)
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A saved plan applied after an out-of-band change is refused and nothing
// changes; without a change it applies exactly its changes.
func TestSavedPlanOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	dir, _ := devProdOnMoto(t)
	dev, prod := newAWSCLI(t, "111111111111"), newAWSCLI(t, "999999999999")
	saved := filepath.Join(t.TempDir(), "p.plan")
	flags := strings.Fields(awsFlags)
	mustRun(t, 0, append(append([]string{"plan", "-out", saved}, flags...), dir)...)

	dev.run("iam", "put-group-policy", "--group-name", "Testers", "--policy-name", "added-by-hand", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)
	beforeDev, beforeProd := dev.run("iam", "get-account-authorization-details", "--output", "json"), prod.run("iam", "get-account-authorization-details", "--output", "json")
	r := mustRun(t, 1, "apply", saved)
	if !strings.Contains(r.stderr, "changed since the plan") {
		t.Fatalf("stale plan not refused clearly:\n%s", r.stderr)
	}
	if dev.run("iam", "get-account-authorization-details", "--output", "json") != beforeDev || prod.run("iam", "get-account-authorization-details", "--output", "json") != beforeProd {
		t.Fatal("a refused saved plan changed the accounts")
	}

	mustRun(t, 0, append(append([]string{"plan", "-out", saved}, flags...), dir)...)
	r = mustRun(t, 0, "apply", saved)
	if !strings.Contains(r.stdout, "Apply complete! 5 added, 0 changed, 0 destroyed.") {
		t.Fatalf("saved plan on moto:\n%s", r.stdout)
	}
	mustRun(t, 0, append(append([]string{"plan", "-detailed-exitcode"}, flags...), dir)...)
}
