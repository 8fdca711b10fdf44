package aws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
	"github.com/trustform/trustform/internal/faultproxy"
	"github.com/trustform/trustform/providers/aws/mototest"
	"github.com/trustform/trustform/providers/local"
)

// The aws target against moto_server. One server serves every test of the
// package (starting one takes seconds): the first test that needs it starts
// it (sharedMoto), and TestMain stops it after the last test. Each subtest
// starts from empty accounts (Reset) and the server's environment (Env).
// Every request goes to 127.0.0.1: Env points AWS_ENDPOINT_URL at the server
// and the shared config files at empty temporary ones.

var shared struct {
	once     sync.Once
	srv      *mototest.Server
	skipped  bool     // the first test that needed the server skipped (moto_server not installed)
	cleanups []func() // what stops the server, run by TestMain
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(shared.cleanups) - 1; i >= 0; i-- {
		shared.cleanups[i]()
	}
	os.Exit(code)
}

// sharedMoto returns the test binary's moto_server, starting it on first
// use. Where it cannot start, the test needing it skips or fails as the
// first one did (see mototest.Start).
func sharedMoto(t *testing.T) *mototest.Server {
	t.Helper()
	shared.once.Do(func() {
		defer func() { shared.skipped = t.Skipped() }()
		shared.srv = mototest.Start(binaryLifetime{t})
	})
	if shared.srv == nil {
		if shared.skipped {
			t.Skip("moto_server is not installed: install it with pip install 'moto[server]' to run the aws target's tests")
		}
		t.Fatal("moto_server did not start (see the first test that needed it)")
	}
	return shared.srv
}

// binaryLifetime is the first test that needs moto, except that what is to
// be cleaned up waits for the end of the test binary (TestMain) rather than
// of that test.
type binaryLifetime struct{ *testing.T }

func (binaryLifetime) Cleanup(f func()) { shared.cleanups = append(shared.cleanups, f) }

const (
	devID      = "111111111111"
	prodID     = "999999999999"
	orgRole    = "OrganizationAccountAccessRole"
	devRoot    = "arn:aws:iam::111111111111:root"
	powerUser  = "arn:aws:iam::aws:policy/PowerUserAccess"
	readOnly   = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	rwARN      = "arn:aws:iam::999999999999:policy/read-write-app-bucket"
	updateApp  = "arn:aws:iam::999999999999:role/UpdateApp"
	davidARN   = "arn:aws:iam::111111111111:user/staff/David" // after the path update
	testsStack = "test"
)

var (
	dev  = &model.AccountConfig{Address: "account.development", Name: "development", ID: devID}
	prod = &model.AccountConfig{Address: "account.production", Name: "production", ID: prodID}
)

func TestAWSOnMoto(t *testing.T) {
	srv := sharedMoto(t)
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"identity through the assume role name", testIdentityAssumeRoleName},
		{"identity through a profile, an assume_role block or the base identity", testIdentityOtherPaths},
		{"credentials acting in another account change nothing", testIdentityMismatch},
		{"every change kind applied and read back like the local target", testEveryChangeKind},
		{"policy versions are pruned", testVersionPruning},
		{"a change another run made or changed first is not made twice", testConcurrentRun},
		{"a group's new path is sent (moto ignores it)", testGroupPathUpdate},
		{"read of the tutorial state", testReadTutorial},
		{"calls on the wire", testCallCounts},
		{"plan, apply, empty plan, destroy through the engine", testConvergence},
		{"a create the SDK re-sends meets itself", testResentCreate},
		{"a delete the SDK re-sends meets NoSuchEntity", testResentDelete},
		{"a create meeting another object fails", testCreateMeetsOther},
		{"quotas read from GetAccountSummary", testQuotas},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Reset(t)
			srv.Env(t)
			tt.run(t)
		})
	}
}

// testQuotas reads the account's quotas: moto reports IAM's defaults, so
// what is checked is that each reaches its field, after the identity check
// (which, for an account reached by AssumeRole, is that call's answer).
func testQuotas(t *testing.T) {
	w := &wire{}
	p := newProvider(t, Options{APIOptions: []func(*middleware.Stack) error{w.option}})
	q, err := p.Quotas(context.Background(), prod)
	if err != nil {
		t.Fatal(err)
	}
	if q != engine.DefaultQuotas() {
		t.Fatalf("quotas %+v, want moto's (IAM's defaults) %+v", q, engine.DefaultQuotas())
	}
	calls := w.take()
	if calls["IAM.GetAccountSummary"] != 1 || calls["STS.AssumeRole"] != 1 || calls["STS.GetCallerIdentity"] != 0 {
		t.Fatalf("calls %v: want one AssumeRole (the identity check) and one GetAccountSummary", calls)
	}
}

// ---- helpers ----

// wire records the calls that reach the server, one per attempt.
type wire struct {
	mu    sync.Mutex
	calls map[string]int
}

func (w *wire) option(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("test.Wire",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			w.mu.Lock()
			if w.calls == nil {
				w.calls = map[string]int{}
			}
			w.calls[awsmiddleware.GetServiceID(ctx)+"."+awsmiddleware.GetOperationName(ctx)]++
			w.mu.Unlock()
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// take returns the calls counted since the last take.
func (w *wire) take() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.calls
	w.calls = nil
	if out == nil {
		out = map[string]int{}
	}
	return out
}

// dropAnswer makes the first answer to op look lost on the way back: the
// request reaches the server, and the SDK sees a connection reset and
// re-sends it, as happens on AWS when a connection drops.
func dropAnswer(op string) func(*middleware.Stack) error {
	var dropped atomic.Bool
	return func(stack *middleware.Stack) error {
		return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("test.DropAnswer",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleFinalize(ctx, in)
				if err == nil && awsmiddleware.GetOperationName(ctx) == op && dropped.CompareAndSwap(false, true) {
					return out, md, &smithyhttp.RequestSendError{Err: errors.New("read: connection reset by peer (injected by the test)")}
				}
				return out, md, err
			}), "Retry", middleware.After)
	}
}

func newProvider(t *testing.T, opts Options) *Provider {
	t.Helper()
	if opts.AssumeRoleName == "" {
		opts.AssumeRoleName = orgRole
	}
	p, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// rawIAM is a plain SDK client in an account, for setting up and checking
// state without the provider.
func rawIAM(t *testing.T, account string) *iam.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Credentials = sdkaws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), "arn:aws:iam::"+account+":role/"+orgRole))
	return iam.NewFromConfig(cfg)
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func allow(action, resource string) string {
	return policy.Document{Version: policy.Version, Statements: []policy.Statement{{Effect: "Allow", Actions: []string{action}, Resources: []string{resource}}}}.JSON()
}

func deny(action, resource string) string {
	return policy.Document{Version: policy.Version, Statements: []policy.Statement{{Effect: "Deny", Actions: []string{action}, Resources: []string{resource}}}}.JSON()
}

func trust(principals ...string) string {
	return policy.Document{Version: policy.Version, Statements: []policy.Statement{{
		Effect: "Allow", Actions: []string{"sts:AssumeRole"}, Principals: map[string][]string{"AWS": principals},
	}}}.JSON()
}

func change(action model.Action, kind model.Kind, acct *model.AccountConfig, before, after model.Object) *model.Change {
	return &model.Change{
		Action:  action,
		Kind:    kind,
		Account: model.AccountRef{Name: acct.Name, ID: acct.ID},
		Key:     model.Key{Account: acct.ID, Kind: kind, ID: fmt.Sprintf("%T", before) + fmt.Sprintf("%T", after)},
		Before:  before,
		After:   after,
	}
}

// canonical returns a copy of the account with every document in canonical
// form, so that accounts compare with reflect.DeepEqual the way
// policy.Equivalent compares documents.
func canonical(a *model.Account) *model.Account {
	c := a.Clone()
	doc := func(s string) string {
		d, err := policy.Parse(s)
		if err != nil {
			return "unparsable: " + s
		}
		return d.CanonicalJSON()
	}
	docs := func(m map[string]string) map[string]string {
		for k, v := range m {
			m[k] = doc(v)
		}
		return m
	}
	for _, r := range c.Roles {
		r.TrustPolicy = doc(r.TrustPolicy)
		r.InlinePolicies = docs(r.InlinePolicies)
	}
	for _, p := range c.Policies {
		p.Document = doc(p.Document)
		p.Tags = nil // not read by the aws target (see doc.go); checked with ListPolicyTags where set
	}
	for _, g := range c.Groups {
		g.InlinePolicies = docs(g.InlinePolicies)
	}
	for _, u := range c.Users {
		u.InlinePolicies = docs(u.InlinePolicies)
	}
	return c
}

func sameAccount(t *testing.T, label string, got, want *model.Account) {
	t.Helper()
	g, w := canonical(got), canonical(want)
	if reflect.DeepEqual(g, w) {
		return
	}
	show := func(a *model.Account) string {
		var b strings.Builder
		for _, k := range slices.Sorted(maps.Keys(a.Roles)) {
			fmt.Fprintf(&b, "  role %+v\n", *a.Roles[k])
		}
		for _, k := range slices.Sorted(maps.Keys(a.Policies)) {
			fmt.Fprintf(&b, "  policy %+v\n", *a.Policies[k])
		}
		for _, k := range slices.Sorted(maps.Keys(a.Groups)) {
			fmt.Fprintf(&b, "  group %+v\n", *a.Groups[k])
		}
		for _, k := range slices.Sorted(maps.Keys(a.Users)) {
			fmt.Fprintf(&b, "  user %+v\n", *a.Users[k])
		}
		return b.String()
	}
	t.Errorf("%s differs\n got:\n%s want:\n%s", label, show(g), show(w))
}

func ownedTags(extra map[string]string) map[string]string {
	m := maps.Clone(extra)
	if m == nil {
		m = map[string]string{}
	}
	m[ownership.OwnerTagKey] = testsStack
	return m
}

// ---- identity ----

func testIdentityAssumeRoleName(t *testing.T) {
	ctx := context.Background()
	w := &wire{}
	p := newProvider(t, Options{APIOptions: []func(*middleware.Stack) error{w.option}})
	if got, want := p.Describe(), "aws (IAM endpoint "+os.Getenv("AWS_ENDPOINT_URL")+" from AWS_ENDPOINT_URL)"; got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
	for _, acct := range []*model.AccountConfig{dev, prod} {
		t.Run(acct.Name, func(t *testing.T) {
			id, err := p.Identity(ctx, acct)
			if err != nil {
				t.Fatal(err)
			}
			want := engine.Identity{Account: acct.ID, ARN: "arn:aws:sts::" + acct.ID + ":assumed-role/" + orgRole + "/trustform"}
			if id != want {
				t.Errorf("identity = %+v, want %+v", id, want)
			}
			// AssumeRole's answer names the account: no GetCallerIdentity.
			if got, want := w.take(), map[string]int{"STS.AssumeRole": 1}; !maps.Equal(got, want) {
				t.Errorf("calls = %v, want %v", got, want)
			}
			// The assumed credentials are cached for the account.
			if _, err := p.Identity(ctx, acct); err != nil {
				t.Fatal(err)
			}
			if got := w.take(); len(got) != 0 {
				t.Errorf("second Identity: calls = %v, want none", got)
			}
		})
	}
}

func testIdentityOtherPaths(t *testing.T) {
	// A shared config with a profile that assumes a role itself, and one
	// with static keys that an assume_role block starts from.
	config := fmt.Sprintf(`[profile base]
aws_access_key_id = %s
aws_secret_access_key = %s

[profile prod-admin]
role_arn = arn:aws:iam::%s:role/Admin
source_profile = base
`, mototest.AccessKeyID, mototest.SecretAccessKey, prodID)
	if err := os.WriteFile(os.Getenv("AWS_CONFIG_FILE"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		opts      Options
		account   model.AccountConfig
		wantARN   string // prefix
		wantCalls map[string]int
	}{
		{"base identity when no assume role name", Options{AssumeRoleName: "-"},
			model.AccountConfig{ID: mototest.DefaultAccount}, "arn:aws:",
			map[string]int{"STS.GetCallerIdentity": 1}},
		{"assume_role block with external id, session name and duration", Options{},
			model.AccountConfig{ID: prodID, AssumeRole: &model.AssumeRoleConfig{RoleARN: "arn:aws:iam::" + prodID + ":role/Deployer", ExternalID: "ext-123", SessionName: "ci", Duration: 900}},
			"arn:aws:sts::" + prodID + ":assumed-role/Deployer/ci",
			map[string]int{"STS.AssumeRole": 1}},
		{"profile that assumes a role", Options{},
			model.AccountConfig{ID: prodID, Profile: "prod-admin"}, "arn:aws:sts::" + prodID + ":assumed-role/Admin/",
			map[string]int{"STS.AssumeRole": 1, "STS.GetCallerIdentity": 1}},
		{"assume_role block from a profile", Options{SessionName: "pipeline"},
			model.AccountConfig{ID: devID, Profile: "base", AssumeRole: &model.AssumeRoleConfig{RoleARN: "arn:aws:iam::" + devID + ":role/Deployer"}},
			"arn:aws:sts::" + devID + ":assumed-role/Deployer/pipeline",
			map[string]int{"STS.AssumeRole": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &wire{}
			tt.opts.APIOptions = []func(*middleware.Stack) error{w.option}
			if tt.opts.AssumeRoleName == "-" {
				tt.opts.AssumeRoleName = ""
				p, err := New(context.Background(), tt.opts)
				if err != nil {
					t.Fatal(err)
				}
				check(t, p, &tt.account, tt.wantARN, w, tt.wantCalls)
				return
			}
			check(t, newProvider(t, tt.opts), &tt.account, tt.wantARN, w, tt.wantCalls)
		})
	}
}

func check(t *testing.T, p *Provider, acct *model.AccountConfig, wantARN string, w *wire, wantCalls map[string]int) {
	t.Helper()
	id, err := p.Identity(context.Background(), acct)
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != acct.ID || !strings.HasPrefix(id.ARN, wantARN) {
		t.Errorf("identity = %+v, want account %s and an ARN starting %s", id, acct.ID, wantARN)
	}
	if got := w.take(); !maps.Equal(got, wantCalls) {
		t.Errorf("calls = %v, want %v", got, wantCalls)
	}
}

func testIdentityMismatch(t *testing.T) {
	ctx := context.Background()
	// Declared as development, but the role assumed is in production.
	wrong := &model.AccountConfig{Name: "development", ID: devID, AssumeRole: &model.AssumeRoleConfig{RoleARN: "arn:aws:iam::" + prodID + ":role/" + orgRole}}
	p := newProvider(t, Options{})
	g := &model.Group{Name: "Developers", Path: "/"}
	err := p.Apply(ctx, wrong, change(model.Create, model.KindGroup, wrong, nil, g))
	if err == nil || !strings.Contains(err.Error(), "act in account "+prodID) {
		t.Fatalf("Apply error = %v, want a refusal naming account %s", err, prodID)
	}
	if _, err := p.Read(ctx, wrong); err == nil {
		t.Error("Read after a mismatching identity succeeded")
	}
	out := must[*iam.ListGroupsOutput](t)(rawIAM(t, prodID).ListGroups(ctx, &iam.ListGroupsInput{}))
	if len(out.Groups) != 0 {
		t.Errorf("a group was created in %s: %v", prodID, out.Groups)
	}
}

// ---- apply and read back ----

// step is one Apply, made on the aws target and on the local target; after
// each, both accounts read from moto must equal those read from the local
// simulation, and check (if any) looks at moto's more closely.
type step struct {
	name  string
	acct  *model.AccountConfig
	ch    *model.Change
	check func(t *testing.T, devA, prodA *model.Account)
}

func runSteps(t *testing.T, p *Provider, steps []step) {
	t.Helper()
	ctx := context.Background()
	loc, err := local.Open(local.Options{Dir: filepath.Join(t.TempDir(), ".trustform")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { loc.Close() })
	for _, acct := range []*model.AccountConfig{dev, prod} {
		if _, err := loc.Identity(ctx, acct); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range steps {
		if err := p.Apply(ctx, s.acct, s.ch); err != nil {
			t.Fatalf("%s: aws: %v", s.name, err)
		}
		if err := loc.Apply(ctx, s.acct, s.ch); err != nil {
			t.Fatalf("%s: local: %v", s.name, err)
		}
		read := map[string]*model.Account{}
		for _, acct := range []*model.AccountConfig{dev, prod} {
			got, err := p.Read(ctx, acct)
			if err != nil {
				t.Fatalf("%s: read %s: %v", s.name, acct.Name, err)
			}
			want, err := loc.Read(ctx, acct)
			if err != nil {
				t.Fatal(err)
			}
			sameAccount(t, s.name+": "+acct.Name, got, want)
			read[acct.ID] = got
		}
		if s.check != nil {
			s.check(t, read[devID], read[prodID])
		}
		if t.Failed() {
			t.Fatalf("stopped after step %q", s.name)
		}
	}
}

func testEveryChangeKind(t *testing.T) {
	p := newProvider(t, Options{})
	doc1 := allow("s3:GetObject", "arn:aws:s3:::productionapp/*")
	doc2 := allow("s3:*", "arn:aws:s3:::productionapp/*")
	pol := &model.ManagedPolicy{Name: "read-write-app-bucket", Path: "/", Description: ownership.PolicyDescription("Read and write the bucket", testsStack), Document: doc1, Tags: ownedTags(map[string]string{"team": "platform"})}
	pol2 := pol.Clone()
	pol2.Document, pol2.Tags = doc2, ownedTags(map[string]string{"owner": "ops"})

	role := &model.Role{Name: "UpdateApp", Path: "/", Description: "updates the app", TrustPolicy: trust(devRoot), MaxSessionDuration: 7200,
		Tags: ownedTags(map[string]string{"team": "platform", "old": "x"})}
	roleDesc := role.Clone()
	roleDesc.Description = "updates the production app"
	roleSession := roleDesc.Clone()
	roleSession.MaxSessionDuration = 3600
	roleTrust := roleSession.Clone()
	roleTrust.TrustPolicy = trust(devRoot, davidARN)
	roleTrust.Tags = ownedTags(map[string]string{"team": "apps", "new": "y"})

	group := &model.Group{Name: "Developers", Path: ownership.OwnedGroupPath(testsStack)}
	// No group update here: moto ignores UpdateGroup with only a NewPath
	// (testGroupPathUpdate checks what is sent instead).
	user := &model.User{Name: "David", Path: "/people/", Tags: ownedTags(map[string]string{"email": "d@example.com"})}
	user2 := &model.User{Name: "David", Path: "/staff/", Tags: ownedTags(map[string]string{"email": "david@example.com"})}
	member := &model.Membership{User: "David", Group: "Developers"}

	inline := func(kind model.Kind, principal, name, doc string) *model.InlinePolicy {
		return &model.InlinePolicy{PrincipalKind: kind, PrincipalName: principal, Name: name, Document: doc}
	}
	notes := inline(model.KindRole, "UpdateApp", "notes", allow("s3:ListBucket", "arn:aws:s3:::productionapp"))
	notes2 := inline(model.KindRole, "UpdateApp", "notes", allow("s3:ListBucket", "arn:aws:s3:::other"))
	grant := inline(model.KindGroup, "Developers", "trustform.test.grant.developers", allow("sts:AssumeRole", updateApp))
	userNote := inline(model.KindUser, "David", "self", deny("iam:*", "*"))
	attach := func(kind model.Kind, principal, arn string) *model.Attachment {
		return &model.Attachment{PrincipalKind: kind, PrincipalName: principal, PolicyARN: arn}
	}
	attachments := []*model.Attachment{
		attach(model.KindRole, "UpdateApp", rwARN), attach(model.KindRole, "UpdateApp", readOnly),
		attach(model.KindGroup, "Developers", powerUser), attach(model.KindUser, "David", readOnly),
	}

	steps := []step{
		{"create policy", prod, change(model.Create, model.KindPolicy, prod, nil, pol), policyTagsAre(pol.Tags)},
		{"create user", dev, change(model.Create, model.KindUser, dev, nil, user), nil},
		{"create group", dev, change(model.Create, model.KindGroup, dev, nil, group), nil},
		{"create role", prod, change(model.Create, model.KindRole, prod, nil, role), func(t *testing.T, _, a *model.Account) {
			if r := a.Roles["updateapp"]; r.Description != "updates the app" || r.MaxSessionDuration != 7200 {
				t.Errorf("role read back as %+v, want its description and 7200 s", r)
			}
		}},
		{"update role description only", prod, change(model.Update, model.KindRole, prod, role, roleDesc), func(t *testing.T, _, a *model.Account) {
			if r := a.Roles["updateapp"]; r.MaxSessionDuration != 7200 {
				t.Errorf("max session = %d after a description change, want 7200 kept", r.MaxSessionDuration)
			}
		}},
		{"update role max session only", prod, change(model.Update, model.KindRole, prod, roleDesc, roleSession), func(t *testing.T, _, a *model.Account) {
			if r := a.Roles["updateapp"]; r.Description != "updates the production app" || r.MaxSessionDuration != 3600 {
				t.Errorf("role = %+v after a session change, want the description kept", r)
			}
		}},
		{"update user path and tags", dev, change(model.Update, model.KindUser, dev, user, user2), nil},
		{"update role trust and tags", prod, change(model.Update, model.KindRole, prod, roleSession, roleTrust), nil},
		{"add user to group", dev, change(model.Create, model.KindMembership, dev, nil, member), func(t *testing.T, a, _ *model.Account) {
			if got := a.Users["david"].Groups; !slices.Equal(got, []string{"Developers"}) {
				t.Errorf("groups = %v", got)
			}
		}},
		{"put role inline policy", prod, change(model.Create, model.KindInline, prod, nil, notes), nil},
		{"put group inline policy", dev, change(model.Create, model.KindInline, dev, nil, grant), nil},
		{"put user inline policy", dev, change(model.Create, model.KindInline, dev, nil, userNote), nil},
		{"update role inline policy", prod, change(model.Update, model.KindInline, prod, notes, notes2), nil},
		{"attach customer policy to role", prod, change(model.Create, model.KindAttachment, prod, nil, attachments[0]), nil},
		{"attach AWS managed policy to role", prod, change(model.Create, model.KindAttachment, prod, nil, attachments[1]), func(t *testing.T, _, a *model.Account) {
			if got, want := a.Roles["updateapp"].AttachedPolicies, []string{rwARN, readOnly}; !slices.Equal(got, want) {
				t.Errorf("attached = %v, want %v (sorted)", got, want)
			}
		}},
		{"attach to group", dev, change(model.Create, model.KindAttachment, dev, nil, attachments[2]), nil},
		{"attach to user", dev, change(model.Create, model.KindAttachment, dev, nil, attachments[3]), nil},
		{"update policy document and tags", prod, change(model.Update, model.KindPolicy, prod, pol, pol2), policyTagsAre(pol2.Tags)},
	}
	for _, at := range attachments {
		acct := dev
		if at.PrincipalKind == model.KindRole {
			acct = prod
		}
		steps = append(steps, step{"detach from " + string(at.PrincipalKind) + " " + at.PolicyARN, acct, change(model.Delete, model.KindAttachment, acct, at, nil), nil})
	}
	steps = append(steps,
		step{"delete role inline policy", prod, change(model.Delete, model.KindInline, prod, notes2, nil), nil},
		step{"delete group inline policy", dev, change(model.Delete, model.KindInline, dev, grant, nil), nil},
		step{"delete user inline policy", dev, change(model.Delete, model.KindInline, dev, userNote, nil), nil},
		step{"remove user from group", dev, change(model.Delete, model.KindMembership, dev, member, nil), nil},
		step{"delete policy", prod, change(model.Delete, model.KindPolicy, prod, pol2, nil), nil},
		step{"delete role", prod, change(model.Delete, model.KindRole, prod, roleTrust, nil), nil},
		step{"delete group", dev, change(model.Delete, model.KindGroup, dev, group, nil), nil},
		step{"delete user", dev, change(model.Delete, model.KindUser, dev, user2, nil), func(t *testing.T, d, p *model.Account) {
			for _, a := range []*model.Account{d, p} {
				if n := len(a.Roles) + len(a.Policies) + len(a.Groups) + len(a.Users); n != 0 {
					t.Errorf("account %s still holds %d objects", a.ID, n)
				}
			}
		}},
	)
	runSteps(t, p, steps)
}

// policyTagsAre checks the tags of read-write-app-bucket with the raw SDK:
// Read does not return a policy's tags.
func policyTagsAre(want map[string]string) func(t *testing.T, _, _ *model.Account) {
	return func(t *testing.T, _, _ *model.Account) {
		out := must[*iam.ListPolicyTagsOutput](t)(rawIAM(t, prodID).ListPolicyTags(context.Background(), &iam.ListPolicyTagsInput{PolicyArn: sdkaws.String(rwARN)}))
		if got := tagMap(out.Tags); !maps.Equal(got, want) {
			t.Errorf("policy tags = %v, want %v", got, want)
		}
	}
}

func testVersionPruning(t *testing.T) {
	ctx := context.Background()
	p := newProvider(t, Options{})
	pol := &model.ManagedPolicy{Name: "rw", Path: "/", Description: ownership.PolicyOwnerMarker(testsStack), Document: allow("s3:GetObject", "arn:aws:s3:::b0/*"), Tags: ownedTags(nil)}
	if err := p.Apply(ctx, prod, change(model.Create, model.KindPolicy, prod, nil, pol)); err != nil {
		t.Fatal(err)
	}
	before := pol
	for i := 1; i <= 6; i++ {
		after := before.Clone()
		after.Document = allow("s3:GetObject", fmt.Sprintf("arn:aws:s3:::b%d/*", i))
		if err := p.Apply(ctx, prod, change(model.Update, model.KindPolicy, prod, before, after)); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		before = after
	}
	a, err := p.Read(ctx, prod)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Policies["rw"].Document; !policy.Equivalent(got, before.Document) {
		t.Errorf("document = %s, want the last one %s", got, before.Document)
	}
	versions := must[*iam.ListPolicyVersionsOutput](t)(rawIAM(t, prodID).ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: sdkaws.String("arn:aws:iam::" + prodID + ":policy/rw")}))
	var ids []string
	for _, v := range versions.Versions {
		ids = append(ids, *v.VersionId)
		if v.IsDefaultVersion && *v.VersionId != "v7" {
			t.Errorf("default version = %s, want v7", *v.VersionId)
		}
	}
	slices.Sort(ids)
	if want := []string{"v3", "v4", "v5", "v6", "v7"}; !slices.Equal(ids, want) {
		t.Errorf("versions = %v, want %v (the oldest pruned)", ids, want)
	}
	// Deleting takes the old versions with it.
	if err := p.Apply(ctx, prod, change(model.Delete, model.KindPolicy, prod, before, nil)); err != nil {
		t.Fatal(err)
	}
	if a, err := p.Read(ctx, prod); err != nil || len(a.Policies) != 0 {
		t.Errorf("after delete: %v, %+v", err, a)
	}
}

// ---- the tutorial ----

// seedTutorial creates with the raw SDK what the tutorial's Development
// account holds before trustform runs, as examples/dev-prod/seed-aws.sh
// does on AWS.
func seedTutorial(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	c := rawIAM(t, devID)
	for _, g := range []string{"Developers", "Testers"} {
		must[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: &g}))
		must[*iam.AttachGroupPolicyOutput](t)(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: &g, PolicyArn: sdkaws.String(powerUser)}))
	}
	for user, group := range map[string]string{"David": "Developers", "Tess": "Testers"} {
		must[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: &user}))
		must[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: &user, GroupName: &group}))
	}
}

var rwDoc = policy.Document{Version: policy.Version, Statements: []policy.Statement{
	{Effect: "Allow", Actions: []string{"s3:ListAllMyBuckets"}, Resources: []string{"*"}},
	{Effect: "Allow", Actions: []string{"s3:ListBucket", "s3:GetBucketLocation"}, Resources: []string{"arn:aws:s3:::productionapp"}},
	{Effect: "Allow", Actions: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}, Resources: []string{"arn:aws:s3:::productionapp/*"}},
}}.JSON()

func testReadTutorial(t *testing.T) {
	ctx := context.Background()
	seedTutorial(t)
	d, pr := rawIAM(t, devID), rawIAM(t, prodID)
	grantDoc, denyDoc := allow("sts:AssumeRole", updateApp), deny("sts:AssumeRole", updateApp)
	must[*iam.PutGroupPolicyOutput](t)(d.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: sdkaws.String("Developers"), PolicyName: sdkaws.String("trustform.devprod.grant.developers_update_app"), PolicyDocument: &grantDoc}))
	must[*iam.PutGroupPolicyOutput](t)(d.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: sdkaws.String("Testers"), PolicyName: sdkaws.String("trustform.devprod.deny.testers_update_app"), PolicyDocument: &denyDoc}))
	desc := ownership.PolicyDescription("Read and write productionapp", "devprod")
	owner := []types.Tag{{Key: sdkaws.String(ownership.OwnerTagKey), Value: sdkaws.String("devprod")}}
	must[*iam.CreatePolicyOutput](t)(pr.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: sdkaws.String("read-write-app-bucket"), Description: &desc, PolicyDocument: &rwDoc,
		Tags: append([]types.Tag{{Key: sdkaws.String("team"), Value: sdkaws.String("platform")}}, owner...)}))
	must[*iam.CreateRoleOutput](t)(pr.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdkaws.String("UpdateApp"), Description: sdkaws.String("Deploys the app"), AssumeRolePolicyDocument: sdkaws.String(trust(devRoot)), Tags: owner}))
	must[*iam.AttachRolePolicyOutput](t)(pr.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: sdkaws.String("UpdateApp"), PolicyArn: sdkaws.String(rwARN)}))
	// A role of someone else's: read without its description and session.
	must[*iam.CreateRoleOutput](t)(pr.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdkaws.String("Audit"), Path: sdkaws.String("/audit/"), Description: sdkaws.String("not ours"), MaxSessionDuration: sdkaws.Int32(7200), AssumeRolePolicyDocument: sdkaws.String(trust("arn:aws:iam::222222222222:root"))}))

	p := newProvider(t, Options{})
	wantDev := model.NewAccount(devID, "")
	wantDev.Groups["developers"] = &model.Group{Name: "Developers", Path: "/", AttachedPolicies: []string{powerUser}, InlinePolicies: map[string]string{"trustform.devprod.grant.developers_update_app": grantDoc}}
	wantDev.Groups["testers"] = &model.Group{Name: "Testers", Path: "/", AttachedPolicies: []string{powerUser}, InlinePolicies: map[string]string{"trustform.devprod.deny.testers_update_app": denyDoc}}
	wantDev.Users["david"] = &model.User{Name: "David", Path: "/", Groups: []string{"Developers"}}
	wantDev.Users["tess"] = &model.User{Name: "Tess", Path: "/", Groups: []string{"Testers"}}
	wantProd := model.NewAccount(prodID, "")
	wantProd.Policies["read-write-app-bucket"] = &model.ManagedPolicy{Name: "read-write-app-bucket", Path: "/", Description: desc, Document: rwDoc} // tags: not read
	wantProd.Roles["updateapp"] = &model.Role{Name: "UpdateApp", Path: "/", Description: "Deploys the app", TrustPolicy: trust(devRoot), MaxSessionDuration: 3600,
		Tags: map[string]string{ownership.OwnerTagKey: "devprod"}, AttachedPolicies: []string{rwARN}}
	wantProd.Roles["audit"] = &model.Role{Name: "Audit", Path: "/audit/", TrustPolicy: trust("arn:aws:iam::222222222222:root")}
	for _, tt := range []struct {
		acct *model.AccountConfig
		want *model.Account
	}{{dev, wantDev}, {prod, wantProd}} {
		t.Run(tt.acct.Name, func(t *testing.T) {
			got, err := p.Read(ctx, tt.acct)
			if err != nil {
				t.Fatal(err)
			}
			sameAccount(t, tt.acct.Name, got, tt.want)
			for _, r := range got.Roles {
				if r.Owned {
					t.Errorf("role %s read as owned: ownership is the engine's to mark", r.Name)
				}
			}
		})
	}
}

func testCallCounts(t *testing.T) {
	ctx := context.Background()
	seedTutorial(t)
	// Production holds a stack-owned role, whose description and session
	// GetAccountAuthorizationDetails lacks, and a stack-owned policy.
	setup := newProvider(t, Options{})
	owned := ownedTags(nil)
	pol := &model.ManagedPolicy{Name: "read-write-app-bucket", Path: "/", Description: ownership.PolicyOwnerMarker(testsStack), Document: rwDoc, Tags: owned}
	role := &model.Role{Name: "UpdateApp", Path: "/", TrustPolicy: trust(devRoot), MaxSessionDuration: 3600, Tags: owned}
	role2 := &model.Role{Name: "UpdateApp2", Path: "/", TrustPolicy: trust(devRoot), MaxSessionDuration: 3600, Tags: owned}
	for _, ch := range []*model.Change{
		change(model.Create, model.KindPolicy, prod, nil, pol),
		change(model.Create, model.KindRole, prod, nil, role),
	} {
		if err := setup.Apply(ctx, prod, ch); err != nil {
			t.Fatal(err)
		}
	}

	w := &wire{}
	p := newProvider(t, Options{APIOptions: []func(*middleware.Stack) error{w.option}})
	steps := []struct {
		name string
		run  func() error
		want map[string]int
	}{
		{"Identity(development): AssumeRole's answer names the account", func() error { _, err := p.Identity(ctx, dev); return err },
			map[string]int{"STS.AssumeRole": 1}},
		{"Read(development): no stack objects", func() error { _, err := p.Read(ctx, dev); return err },
			map[string]int{"IAM.GetAccountAuthorizationDetails": 1}},
		{"Identity(production)", func() error { _, err := p.Identity(ctx, prod); return err },
			map[string]int{"STS.AssumeRole": 1}},
		{"Read(production): one owned role (and an owned policy, which costs nothing)", func() error { _, err := p.Read(ctx, prod); return err },
			map[string]int{"IAM.GetAccountAuthorizationDetails": 1, "IAM.GetRole": 1}},
		{"Read(production) with two owned roles: ListRoles instead of GetRole each", func() error {
			if err := setup.Apply(ctx, prod, change(model.Create, model.KindRole, prod, nil, role2)); err != nil {
				return err
			}
			_, err := p.Read(ctx, prod)
			return err
		}, map[string]int{"IAM.GetAccountAuthorizationDetails": 1, "IAM.ListRoles": 1}},
		{"Apply after Identity: no identity call", func() error {
			return p.Apply(ctx, dev, change(model.Create, model.KindGroup, dev, nil, &model.Group{Name: "Ops", Path: "/"}))
		}, map[string]int{"IAM.CreateGroup": 1}},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := w.take(); !maps.Equal(got, s.want) {
			t.Errorf("%s: calls = %v, want %v", s.name, got, s.want)
		}
	}
}

// tutorialConfig is the design's reference stack, as the schema package
// would hand it to the engine.
func tutorialConfig() *model.Config {
	return &model.Config{
		Stack:    model.StackConfig{Name: "devprod", Target: "aws", AssumeRoleName: orgRole},
		Accounts: []*model.AccountConfig{dev, prod},
		Groups: []*model.GroupConfig{
			{Address: "group.developers", Account: devID, Name: "Developers", Existing: true},
			{Address: "group.testers", Account: devID, Name: "Testers", Existing: true},
		},
		Users: []*model.UserConfig{
			{Address: "user.david", Account: devID, Name: "David", Groups: []string{"Developers"}, Existing: true},
			{Address: "user.tess", Account: devID, Name: "Tess", Groups: []string{"Testers"}, Existing: true},
		},
		Policies: []*model.PolicyConfig{{Address: "policy.read_write_app_bucket", Account: prodID, Name: "read-write-app-bucket", Document: rwDoc}},
		Roles: []*model.RoleConfig{{
			Address: "role.update_app", Account: prodID, Name: "UpdateApp", Description: "Deploys the app", MaxSessionDuration: 7200,
			TrustDocument: trust(devRoot), ManagedPolicies: []string{rwARN},
			InlinePolicies: map[string]string{"notes": allow("s3:ListBucket", "arn:aws:s3:::productionapp")},
			Tags:           map[string]string{"team": "platform"},
		}},
		Grants: []*model.GrantConfig{
			{Address: "grant.developers_update_app", Effect: "Allow", To: []model.PrincipalRef{{Kind: model.KindGroup, Account: devID, Name: "Developers"}}, Roles: []string{updateApp}},
			{Address: "deny.testers_update_app", Effect: "Deny", To: []model.PrincipalRef{{Kind: model.KindGroup, Account: devID, Name: "Testers"}}, Roles: []string{updateApp}},
		},
	}
}

func testConvergence(t *testing.T) {
	ctx := context.Background()
	seedTutorial(t)
	cfg := tutorialConfig()
	plan := func(p *Provider, destroy bool) *model.Plan {
		t.Helper()
		pl, err := engine.MakePlan(ctx, cfg, p, engine.PlanOptions{Destroy: destroy})
		if err != nil {
			t.Fatal(err)
		}
		return pl
	}
	p := newProvider(t, Options{})
	first := plan(p, false)
	if add, chg, del := first.Counts(); add == 0 || chg != 0 || del != 0 {
		t.Fatalf("first plan: +%d ~%d -%d, want only creates", add, chg, del)
	}
	if err := engine.Apply(ctx, first, cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}

	// A fresh provider, as a second `trustform plan` would make.
	w := &wire{}
	again := plan(newProvider(t, Options{APIOptions: []func(*middleware.Stack) error{w.option}}), false)
	for _, c := range again.Changes {
		t.Errorf("plan after apply is not empty: %s %v", engine.Describe(c), c.Attrs)
	}
	want := map[string]int{
		"STS.AssumeRole": 2, "IAM.GetAccountAuthorizationDetails": 2, // AssumeRole's answer proves the account
		"IAM.GetRole": 1, // production's owned role: its description and session, which GAAD lacks
	}
	if got := w.take(); !maps.Equal(got, want) {
		t.Errorf("no-change plan: calls = %v, want %v", got, want)
	}

	gone := plan(p, true)
	if err := engine.Apply(ctx, gone, cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	after := plan(p, true)
	if len(after.Changes) != 0 {
		t.Errorf("destroy left %d changes", len(after.Changes))
	}
	// Only the stack's objects went: the existing groups, users and their
	// memberships stay.
	a := after.Actual.Accounts[devID]
	if len(a.Groups) != 2 || len(a.Users) != 2 || len(after.Actual.Accounts[prodID].Roles) != 0 {
		t.Errorf("after destroy: dev %d groups %d users, prod %d roles", len(a.Groups), len(a.Users), len(after.Actual.Accounts[prodID].Roles))
	}
	for _, g := range a.Groups {
		if len(g.InlinePolicies) != 0 {
			t.Errorf("group %s keeps inline policies %v", g.Name, slices.Collect(maps.Keys(g.InlinePolicies)))
		}
	}
}

// ---- re-sent calls ----

func testResentCreate(t *testing.T) {
	ctx := context.Background()
	owned := ownedTags(nil)
	tests := []struct {
		op     string
		acct   *model.AccountConfig
		ch     *model.Change
		checks []string // the calls that confirm the object is the one created
	}{
		{"CreateRole", prod, change(model.Create, model.KindRole, prod, nil, &model.Role{Name: "UpdateApp", Path: "/", TrustPolicy: trust(devRoot), Tags: owned}), []string{"IAM.GetRole"}},
		{"CreatePolicy", prod, change(model.Create, model.KindPolicy, prod, nil, &model.ManagedPolicy{Name: "rw", Path: "/", Description: ownership.PolicyOwnerMarker(testsStack), Document: rwDoc, Tags: owned}), []string{"IAM.GetPolicy", "IAM.GetPolicyVersion"}},
		{"CreateGroup", dev, change(model.Create, model.KindGroup, dev, nil, &model.Group{Name: "Ops", Path: ownership.OwnedGroupPath(testsStack)}), []string{"IAM.GetGroup"}},
		{"CreateUser", dev, change(model.Create, model.KindUser, dev, nil, &model.User{Name: "Olga", Path: "/", Tags: owned}), []string{"IAM.GetUser"}},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			w := &wire{}
			p := newProvider(t, Options{APIOptions: []func(*middleware.Stack) error{dropAnswer(tt.op), w.option}})
			if err := p.Apply(ctx, tt.acct, tt.ch); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			got := w.take()
			if got["IAM."+tt.op] != 2 {
				t.Errorf("%s sent %d times, want 2 (the SDK re-sends it)", tt.op, got["IAM."+tt.op])
			}
			for _, c := range tt.checks {
				if got[c] != 1 {
					t.Errorf("calls = %v, want one %s", got, c)
				}
			}
		})
	}
}

func testResentDelete(t *testing.T) {
	ctx := context.Background()
	seedTutorial(t)
	p := newProvider(t, Options{})
	doc := allow("s3:ListBucket", "*")
	gi := &model.InlinePolicy{PrincipalKind: model.KindGroup, PrincipalName: "Developers", Name: "x", Document: doc}
	ops := &model.Group{Name: "Ops", Path: "/"}
	for _, ch := range []*model.Change{
		change(model.Create, model.KindInline, dev, nil, gi),
		change(model.Create, model.KindGroup, dev, nil, ops),
	} {
		if err := p.Apply(ctx, dev, ch); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		op string
		ch *model.Change
	}{
		{"DeleteGroupPolicy", change(model.Delete, model.KindInline, dev, gi, nil)},
		{"DetachGroupPolicy", change(model.Delete, model.KindAttachment, dev, &model.Attachment{PrincipalKind: model.KindGroup, PrincipalName: "Developers", PolicyARN: powerUser}, nil)},
		{"RemoveUserFromGroup", change(model.Delete, model.KindMembership, dev, &model.Membership{User: "David", Group: "Developers"}, nil)},
		{"DeleteGroup", change(model.Delete, model.KindGroup, dev, ops, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			w := &wire{}
			p := newProvider(t, Options{APIOptions: []func(*middleware.Stack) error{dropAnswer(tt.op), w.option}})
			if err := p.Apply(ctx, dev, tt.ch); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got := w.take(); got["IAM."+tt.op] != 2 {
				t.Errorf("%s sent %d times, want 2", tt.op, got["IAM."+tt.op])
			}
			// The same delete again is what a second run planned at the
			// same time meets: the object is gone, which is all the change
			// is for, and the run stands aside saying so.
			if err := p.Apply(ctx, dev, tt.ch); !errors.Is(err, engine.ErrAlreadyApplied) {
				t.Errorf("second delete: err = %v, want ErrAlreadyApplied", err)
			}
		})
	}
}

func testCreateMeetsOther(t *testing.T) {
	ctx := context.Background()
	pr, d := rawIAM(t, prodID), rawIAM(t, devID)
	must[*iam.CreateRoleOutput](t)(pr.CreateRole(ctx, &iam.CreateRoleInput{RoleName: sdkaws.String("UpdateApp"), AssumeRolePolicyDocument: sdkaws.String(trust("arn:aws:iam::222222222222:root"))}))
	must[*iam.CreateUserOutput](t)(d.CreateUser(ctx, &iam.CreateUserInput{UserName: sdkaws.String("Olga")}))
	must[*iam.CreateGroupOutput](t)(d.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: sdkaws.String("Ops")}))
	owned := ownedTags(nil)
	tests := []struct {
		name string
		acct *model.AccountConfig
		ch   *model.Change
	}{
		{"role with another trust policy", prod, change(model.Create, model.KindRole, prod, nil, &model.Role{Name: "UpdateApp", TrustPolicy: trust(devRoot), Tags: owned})},
		{"user without the owner tag", dev, change(model.Create, model.KindUser, dev, nil, &model.User{Name: "Olga", Tags: owned})},
		{"group under another path", dev, change(model.Create, model.KindGroup, dev, nil, &model.Group{Name: "Ops", Path: ownership.OwnedGroupPath(testsStack)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The SDK re-sends the create, so that the check runs.
			op := "Create" + strings.ToUpper(string(tt.ch.Kind[:1])) + string(tt.ch.Kind[1:])
			p := newProvider(t, Options{APIOptions: []func(*middleware.Stack) error{dropAnswer(op)}})
			err := p.Apply(ctx, tt.acct, tt.ch)
			var api smithy.APIError
			if !errors.As(err, &api) || api.ErrorCode() != "EntityAlreadyExists" {
				t.Fatalf("err = %v, want EntityAlreadyExists", err)
			}
			if !strings.Contains(err.Error(), "iam:"+op) {
				t.Errorf("error %q does not name the operation", err)
			}
		})
	}
}

func testGroupPathUpdate(t *testing.T) {
	ctx := context.Background()
	var sent []*iam.UpdateGroupInput
	capture := func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("test.Capture",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if u, ok := in.Parameters.(*iam.UpdateGroupInput); ok {
					sent = append(sent, u)
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	}
	p := newProvider(t, Options{APIOptions: []func(*middleware.Stack) error{capture}})
	before := &model.Group{Name: "Developers", Path: "/"}
	after := &model.Group{Name: "Developers", Path: ownership.OwnedGroupPath(testsStack)}
	for _, ch := range []*model.Change{
		change(model.Create, model.KindGroup, dev, nil, before),
		change(model.Update, model.KindGroup, dev, before, after),
	} {
		if err := p.Apply(ctx, dev, ch); err != nil {
			t.Fatal(err)
		}
	}
	if len(sent) != 1 || sdkaws.ToString(sent[0].GroupName) != "Developers" || sdkaws.ToString(sent[0].NewPath) != after.Path || sent[0].NewGroupName != nil {
		t.Errorf("UpdateGroup inputs = %+v, want one with the new path only", sent)
	}
}

// The rate limit holds for every call to an account, retries included: N
// calls at R per second with a burst of R take at least (N-R)/R seconds.
func TestRateLimitPacesCalls(t *testing.T) {
	sharedMoto(t).Env(t)
	var mu sync.Mutex
	var times []time.Time
	stamp := func(stack *middleware.Stack) error {
		return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("test.Stamp",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				mu.Lock()
				times = append(times, time.Now())
				mu.Unlock()
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	}
	const rate, calls = 4, 12
	p := newProvider(t, Options{RateLimit: rate, APIOptions: []func(*middleware.Stack) error{stamp}})
	acct := &model.AccountConfig{Name: "rate", ID: "424242424242", Partition: "aws"}
	ctx := context.Background()
	if _, err := p.Identity(ctx, acct); err != nil {
		t.Fatal(err)
	}
	s, err := p.session(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	times = nil
	mu.Unlock()
	start := time.Now()
	var wg sync.WaitGroup
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.iam.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if min := time.Duration(calls-rate) * time.Second / rate; elapsed < min-100*time.Millisecond {
		t.Fatalf("%d calls at %d/s took %s, less than the %s the limit allows", calls, rate, elapsed, min)
	}
	// No one-second window holds more than the burst plus the rate.
	mu.Lock()
	defer mu.Unlock()
	for i := range times {
		n := 0
		for _, u := range times[i:] {
			if u.Sub(times[i]) < time.Second {
				n++
			}
		}
		if n > 2*rate {
			t.Fatalf("%d calls within one second at a limit of %d/s", n, rate)
		}
	}
}

// testConcurrentRun plays the second of two runs that planned the same
// changes: each write meets what the first run did.
func testConcurrentRun(t *testing.T) {
	ctx := context.Background()
	p := newProvider(t, Options{})
	raw := rawIAM(t, prodID)
	trustDev := trust("arn:aws:iam::" + devID + ":root")
	role := &model.Role{Name: "Shared", Path: "/", TrustPolicy: trustDev, MaxSessionDuration: 3600, Tags: ownedTags(nil)}

	// The first run created the role: the second's create stands aside.
	if err := p.Apply(ctx, prod, change(model.Create, model.KindRole, prod, nil, role)); err != nil {
		t.Fatal(err)
	}
	second := newProvider(t, Options{})
	err := second.Apply(ctx, prod, change(model.Create, model.KindRole, prod, nil, role))
	if !errors.Is(err, engine.ErrAlreadyApplied) {
		t.Fatalf("a create another run made: %v, want ErrAlreadyApplied", err)
	}

	// The first run already made the update: the second stands aside.
	longer := role.Clone()
	longer.MaxSessionDuration = 7200
	if err := p.Apply(ctx, prod, change(model.Update, model.KindRole, prod, role, longer)); err != nil {
		t.Fatal(err)
	}
	if err := second.Apply(ctx, prod, change(model.Update, model.KindRole, prod, role, longer)); !errors.Is(err, engine.ErrAlreadyApplied) {
		t.Fatalf("an update another run made: %v, want ErrAlreadyApplied", err)
	}

	// Someone changed the role to something else: the update is not made.
	must[*iam.UpdateRoleOutput](t)(raw.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: sdkaws.String("Shared"), MaxSessionDuration: sdkaws.Int32(10800), Description: sdkaws.String("by hand")}))
	shorter := longer.Clone()
	shorter.MaxSessionDuration = 3600
	if err := second.Apply(ctx, prod, change(model.Update, model.KindRole, prod, longer, shorter)); !errors.Is(err, engine.ErrChangedSincePlan) {
		t.Fatalf("an update of a role changed since the plan: %v, want ErrChangedSincePlan", err)
	}
	got := must[*iam.GetRoleOutput](t)(raw.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("Shared")}))
	if sdkaws.ToInt32(got.Role.MaxSessionDuration) != 10800 || sdkaws.ToString(got.Role.Description) != "by hand" {
		t.Errorf("the refused update changed the role: %+v", got.Role)
	}

	// The first run deleted it: the second's delete stands aside.
	if err := p.Apply(ctx, prod, change(model.Delete, model.KindRole, prod, longer, nil)); err != nil {
		t.Fatal(err)
	}
	if err := second.Apply(ctx, prod, change(model.Delete, model.KindRole, prod, longer, nil)); !errors.Is(err, engine.ErrAlreadyApplied) {
		t.Fatalf("a delete another run made: %v, want ErrAlreadyApplied", err)
	}
	// Someone gave a role back (removed the tag) after the plan: it is not
	// deleted.
	given := &model.Role{Name: "Given", Path: "/", TrustPolicy: trustDev, MaxSessionDuration: 3600, Tags: ownedTags(nil)}
	if err := p.Apply(ctx, prod, change(model.Create, model.KindRole, prod, nil, given)); err != nil {
		t.Fatal(err)
	}
	must[*iam.UntagRoleOutput](t)(raw.UntagRole(ctx, &iam.UntagRoleInput{RoleName: sdkaws.String("Given"), TagKeys: []string{ownership.OwnerTagKey}}))
	if err := second.Apply(ctx, prod, change(model.Delete, model.KindRole, prod, given, nil)); !errors.Is(err, engine.ErrChangedSincePlan) {
		t.Fatalf("a delete of a role given back since the plan: %v, want ErrChangedSincePlan", err)
	}
	must[*iam.GetRoleOutput](t)(raw.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String("Given")}))
	// An attachment removed already.
	att := &model.Attachment{PrincipalKind: model.KindUser, PrincipalName: "Nobody", PolicyARN: "arn:aws:iam::aws:policy/ReadOnlyAccess"}
	user := &model.User{Name: "Nobody", Path: "/", Tags: ownedTags(nil)}
	if err := p.Apply(ctx, prod, change(model.Create, model.KindUser, prod, nil, user)); err != nil {
		t.Fatal(err)
	}
	if err := second.Apply(ctx, prod, change(model.Delete, model.KindAttachment, prod, att, nil)); !errors.Is(err, engine.ErrAlreadyApplied) {
		t.Fatalf("a detach of what is not attached: %v, want ErrAlreadyApplied", err)
	}
}

// A call that keeps being throttled gives up after RetryTimeout, SDK
// re-sends included, with an error naming the change.
func TestRetryTimeoutBoundsACall(t *testing.T) {
	srv := sharedMoto(t)
	srv.Env(t)
	proxy := faultproxy.Start(t, srv.URL, faultproxy.Config{Rate: 1, Faults: []faultproxy.Fault{faultproxy.Throttle}, Actions: []string{"CreateRole"}})
	t.Setenv("AWS_ENDPOINT_URL", proxy.URL)
	p := newProvider(t, Options{RetryTimeout: 3 * time.Second})
	role := &model.Role{Name: "Throttled", Path: "/", TrustPolicy: trust("arn:aws:iam::" + devID + ":root"), MaxSessionDuration: 3600, Tags: ownedTags(nil)}
	start := time.Now()
	err := p.Apply(context.Background(), prod, change(model.Create, model.KindRole, prod, nil, role))
	elapsed := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "gave up after --retry-timeout") || !strings.Contains(err.Error(), `role "Throttled"`) {
		t.Fatalf("err = %v, want a give-up naming the role", err)
	}
	if elapsed > 8*time.Second {
		t.Fatalf("the call took %s, beyond the 3s bound", elapsed)
	}
}

// TestParallelismBoundsCallsInFlight: calls to many accounts at once are
// held to Options.Parallelism in flight over the whole provider (each call
// is slowed on the wire so that they overlap); with no bound, the same
// calls overlap past it, so the check can fail. Each account's first call
// assumes its role, an STS call made while resolving the IAM call's
// credentials: with four accounts and three slots, a bound that wrapped
// that resolution deadlocked here.
func TestParallelismBoundsCallsInFlight(t *testing.T) {
	sharedMoto(t).Env(t)
	for _, tt := range []struct {
		name        string
		parallelism int
		atMost      int // 0: no bound expected
	}{
		{"bounded at 3", 3, 3},
		{"unbounded", -1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			inflight, most := 0, 0
			slow := func(stack *middleware.Stack) error {
				return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("test.Slow",
					func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
						mu.Lock()
						inflight++
						most = max(most, inflight)
						mu.Unlock()
						time.Sleep(40 * time.Millisecond)
						defer func() {
							mu.Lock()
							inflight--
							mu.Unlock()
						}()
						return next.HandleFinalize(ctx, in)
					}), middleware.After)
			}
			p := newProvider(t, Options{RateLimit: -1, Parallelism: tt.parallelism, APIOptions: []func(*middleware.Stack) error{slow}})
			ctx := context.Background()
			var sessions []*session
			for i := range 4 {
				acct := &model.AccountConfig{Name: fmt.Sprintf("p%d", i), ID: fmt.Sprintf("43434343434%d", i), Partition: "aws"}
				s, err := p.session(ctx, acct)
				if err != nil {
					t.Fatal(err)
				}
				sessions = append(sessions, s)
			}
			var wg sync.WaitGroup
			for _, s := range sessions {
				for range 4 {
					wg.Go(func() {
						if _, err := s.iam.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
							t.Error(err)
						}
					})
				}
			}
			wg.Wait()
			switch {
			case tt.atMost > 0 && most > tt.atMost:
				t.Errorf("%d calls in flight at once, want at most %d", most, tt.atMost)
			case tt.atMost > 0 && most < 2:
				t.Errorf("at most %d call in flight: the calls did not overlap, so the bound was not tested", most)
			case tt.atMost == 0 && most <= 3:
				t.Errorf("without a bound only %d calls overlapped: the test cannot tell a bound from none", most)
			}
		})
	}
}
