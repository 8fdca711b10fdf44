package planfile

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

func samplePlan() (*model.Plan, *model.Config) {
	cfg := &model.Config{Stack: model.StackConfig{Name: "s", Target: "local", Dir: "stack"},
		Accounts: []*model.AccountConfig{{Address: "account.prod", Name: "prod", ID: "999999999999", Partition: "aws",
			AssumeRole: &model.AssumeRoleConfig{RoleARN: "arn:aws:iam::999999999999:role/Deploy", ExternalID: "x-1"}}}}
	role := &model.Role{Name: "R", Path: "/", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}`, MaxSessionDuration: 3600}
	p := &model.Plan{Stack: "s", Target: "local simulation in stack/.trustform",
		Accounts: []model.PlanAccount{{Name: "prod", ID: "999999999999", Identity: "arn:aws:iam::999999999999:root"}},
		Changes: []*model.Change{
			{Action: model.Create, Kind: model.KindRole, Account: model.AccountRef{Name: "prod", ID: "999999999999", Partition: "aws"}, Key: model.PrincipalKey("999999999999", model.KindRole, "R"), Address: "role.r", After: role,
				Attrs: []model.AttrDiff{{Name: "name", After: "R"}}},
			{Action: model.Create, Kind: model.KindInline, Account: model.AccountRef{Name: "prod", ID: "999999999999", Partition: "aws"}, Key: model.InlineKey("999999999999", model.KindRole, "R", "p"), Address: "role.r",
				After: &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "R", Name: "p", Document: `{"Version":"2012-10-17","Statement":[]}`}, DependsOn: []int{0}},
		},
		Access: []model.AccessChange{{Role: model.Principal{Kind: model.PrincipalRole, Partition: "aws", Account: "999999999999", Path: "/", Name: "R"},
			Principal: model.Principal{Kind: model.PrincipalUser, Partition: "aws", Account: "111111111111", Path: "/", Name: "A"}, CanAfter: true}},
		Expectations: []model.ExpectationResult{{Address: "expect.e", Summary: "user A can assume role R", Passed: true, Reasons: []string{"it can"}}},
		Actual:       model.NewState(),
	}
	return p, cfg
}

// written writes d as a saved plan and reads it back.
func written(t *testing.T, d Document) Document {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	back, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestSavedPlanRoundTrips(t *testing.T) {
	p, cfg := samplePlan()
	d := FromPlan(p, cfg, Target{Kind: "local", StackDir: "stack", StateDir: "stack/.trustform"}, "test")
	d.Fingerprint = Fingerprint(p.Actual)
	plan, cfg2, err := written(t, d).Plan()
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 2 || plan.Changes[1].DependsOn[0] != 0 || plan.Changes[0].After.(*model.Role).TrustPolicy != p.Changes[0].After.(*model.Role).TrustPolicy {
		t.Fatalf("changes did not survive the round trip: %+v", plan.Changes)
	}
	if cfg2.Accounts[0].AssumeRole == nil || cfg2.Accounts[0].AssumeRole.ExternalID != "x-1" || cfg2.Stack.Dir != "stack" {
		t.Fatalf("how the account is reached did not survive: %+v", cfg2.Accounts[0])
	}
	if !plan.Access[0].CanAfter || plan.Access[0].CanBefore || !plan.Applicable() {
		t.Fatalf("access changes or expectations did not survive: %+v %+v", plan.Access, plan.Expectations)
	}
}

func TestReadRejects(t *testing.T) {
	p, cfg := samplePlan()
	d := FromPlan(p, cfg, Target{Kind: "local", StackDir: "stack"}, "test")
	var unsaved bytes.Buffer
	d2 := d
	d2.Fingerprint = Fingerprint(p.Actual)
	var saved bytes.Buffer
	if err := Write(&saved, d2); err != nil {
		t.Fatal(err)
	}
	_ = Write(&unsaved, d) // no fingerprint: a plan -json document, not a saved plan
	tests := []struct{ name, text, want string }{
		{"truncated", "{", "truncated"},
		{"not JSON", "x", "not a trustform plan"},
		{"unknown field", `{"format_version":"1","extra":1}`, "not a trustform plan"},
		{"not a saved plan", unsaved.String(), "not a saved plan"},
		{"edited", strings.Replace(saved.String(), `"R"`, `"Q"`, 1), "changed after it was written"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Read error %v, want it to say %q", err, tt.want)
			}
		})
	}
}

// FuzzRead: no input makes the saved-plan reader, or rebuilding a plan from
// what it accepts, panic.
func FuzzRead(f *testing.F) {
	p, cfg := samplePlan()
	d := FromPlan(p, cfg, Target{Kind: "local", StackDir: "stack"}, "test")
	d.Fingerprint = Fingerprint(p.Actual)
	var buf bytes.Buffer
	_ = Write(&buf, d)
	f.Add(buf.String())
	f.Add(`{"format_version":"2","checksum":"x","fingerprint":"y","changes":[{"index":0,"before":{}}]}`)
	f.Add(`{"format_version":"2","checksum":"x","fingerprint":"y","changes":[{"index":0,"depends_on":[5]}]}`)
	// Hostile shapes: truncated, deeply nested, duplicate keys, large.
	f.Add(buf.String()[:buf.Len()/2])
	f.Add(`{"changes":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`)
	f.Add(`{"checksum":"x","checksum":"y","fingerprint":"z","fingerprint":"w"}`)
	f.Add(`{"format_version":"2","changes":[{"index":0,"index":1,"before":{"role":{},"role":{}}}]}`)
	f.Add(`{"changes":[` + strings.Repeat(`{"index":0},`, 20000) + `{"index":0}]}`)
	f.Fuzz(func(t *testing.T, text string) {
		doc, err := Read(strings.NewReader(text))
		if err != nil {
			return
		}
		plan, _, err := doc.Plan()
		if err != nil {
			return
		}
		for i, c := range plan.Changes {
			for _, d := range c.DependsOn {
				if d < 0 || d >= i {
					t.Fatalf("accepted a dependency of change %d on change %d", i, d)
				}
			}
		}
	})
}

// TestAccessPrincipalsRoundTrip checks that a saved plan writes an access
// change's typed principals as policies write them and reads them back as
// the same principals: the role with its path, a session, an account root,
// "*", a service and federated providers by ARN and by host, and who can
// assume the role today.
func TestAccessPrincipalsRoundTrip(t *testing.T) {
	role := model.Principal{Kind: model.PrincipalRole, Partition: "aws", Account: "999999999999", Path: "/ci/", Name: "Deploy"}
	user := model.Principal{Kind: model.PrincipalUser, Partition: "aws", Account: "111111111111", Path: "/", Name: "David"}
	access := []model.AccessChange{
		{Kind: model.AccessDelegation, Role: role, Principal: model.Principal{Kind: model.PrincipalRoot, Partition: "aws", Account: "111111111111"},
			After: []string{}, CanAfter: true, Today: []model.Principal{user}, TodayKnown: true},
		{Kind: model.AccessDelegation, Role: role, Principal: model.Principal{Kind: model.PrincipalAnyone}, After: []string{}, CanAfter: true, Today: []model.Principal{}, TodayKnown: true},
		{Kind: model.AccessPrincipal, Role: role, Principal: user, Before: []string{"with MFA"}, CanBefore: true},
		{Kind: model.AccessPrincipal, Role: role, Principal: model.Principal{Kind: model.PrincipalAssumedRole, Partition: "aws", Account: "222222222222", Name: "Vendor", Session: "scan"}, After: []string{}, CanAfter: true},
		{Kind: model.AccessPrincipal, Role: role, Principal: model.Principal{Kind: model.PrincipalService, Name: "ec2.amazonaws.com"}, After: []string{}, CanAfter: true},
		{Kind: model.AccessPrincipal, Role: role, Principal: model.Principal{Kind: model.PrincipalWebIdentity, Name: "cognito-identity.amazonaws.com"}, After: []string{}, CanAfter: true},
		{Kind: model.AccessPrincipal, Role: role, Principal: model.Principal{Kind: model.PrincipalOIDCProvider, Partition: "aws", Account: "999999999999", Name: "token.actions.githubusercontent.com"}, After: []string{}, CanAfter: true},
	}
	p, cfg := samplePlan()
	p.Access = access
	d := FromPlan(p, cfg, Target{Kind: "local", StackDir: "stack"}, "test")
	if got := d.AccessChanges[0]; got.Role != "arn:aws:iam::999999999999:role/ci/Deploy" || got.Principal != "arn:aws:iam::111111111111:root" ||
		len(got.Today) != 1 || got.Today[0] != "arn:aws:iam::111111111111:user/David" {
		t.Fatalf("the document's access change is %+v", got)
	}
	d.Fingerprint = Fingerprint(p.Actual)
	back := written(t, d)
	plan, _, err := back.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(plan.Access, access) {
		t.Fatalf("read back\n %+v\nwant\n %+v", plan.Access, access)
	}

	back.AccessChanges[0].Role = "arn:aws:iam::999999999999:user/David"
	if _, _, err := back.Plan(); err == nil || !strings.Contains(err.Error(), "not a role's ARN") {
		t.Errorf("an access change of a user, not a role, read as %v", err)
	}
}
