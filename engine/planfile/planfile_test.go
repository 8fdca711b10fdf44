package planfile

import (
	"bytes"
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
		Access:       []model.AccessChange{{Role: "arn:aws:iam::999999999999:role/R", Principal: "arn:aws:iam::111111111111:user/A", CanAfter: true}},
		Expectations: []model.ExpectationResult{{Address: "expect.e", Summary: "user A can assume role R", Passed: true, Reasons: []string{"it can"}}},
		Actual:       model.NewState(),
	}
	return p, cfg
}

func TestSavedPlanRoundTrips(t *testing.T) {
	p, cfg := samplePlan()
	d := FromPlan(p, cfg, Target{Kind: "local", StackDir: "stack", StateDir: "stack/.trustform"}, "test")
	d.Fingerprint = Fingerprint(p.Actual)
	var buf bytes.Buffer
	if err := Write(&buf, d); err != nil {
		t.Fatal(err)
	}
	back, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	plan, cfg2, err := back.Plan()
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
