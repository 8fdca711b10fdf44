package expect_test

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/expect"
)

// TestAssumableOnlyByCountsOutsiders checks that assumable_only_by holds
// against everyone who can assume the role: a trust policy that also opens
// it to another account or a service fails it, unless the list names that
// account.
func TestAssumableOnlyByCountsOutsiders(t *testing.T) {
	const updateApp = "arn:aws:iam::999999999999:role/UpdateApp"
	developers := model.PrincipalRef{Kind: model.KindGroup, Account: "111111111111", Name: "Developers"}
	vendor := model.PrincipalRef{Kind: model.KindAccount, Account: "222222222222", Name: "vendor"}
	tests := []struct {
		name   string
		trust  string
		also   []model.PrincipalRef
		passed bool
		reason string // in some reason
	}{
		{
			name:   "only the development account: passes",
			trust:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`,
			passed: true, reason: "nobody outside the list can assume it",
		},
		{
			name: "another account can assume it too: fails, naming it",
			trust: `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::222222222222:root"]},"Action":"sts:AssumeRole"}]}`,
			passed: false, reason: "222222222222",
		},
		{
			name: "another account, listed: passes",
			trust: `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::222222222222:root"]},"Action":"sts:AssumeRole"}]}`,
			also:   []model.PrincipalRef{vendor},
			passed: true, reason: "nobody outside the list can assume it",
		},
		{
			name: "a service can assume it too: fails",
			trust: `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"},
				{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			passed: false, reason: "ec2.amazonaws.com",
		},
		{
			name:   `"*" lets the role's own sessions in, which are declared and not listed`,
			trust:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`,
			passed: false, reason: `role "UpdateApp" in 999999999999 can assume it`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cases, err := access.LoadCase("../../testdata/eval/tutorial.json")
			if err != nil {
				t.Fatal(err)
			}
			s := cases[0].State()
			s.Accounts["999999999999"].Roles["updateapp"].TrustPolicy = tt.trust
			cfg := &model.Config{Expectations: []*model.ExpectConfig{{
				Address: "expect.only_developers", Role: updateApp, AssumableOnlyBy: append([]model.PrincipalRef{developers}, tt.also...),
			}}}
			got := expect.Check(cfg, s, access.New(access.Inputs{State: s, Policies: cases[0].AWSManaged(nil)}))
			if len(got) != 1 {
				t.Fatalf("%d results, want 1", len(got))
			}
			if got[0].Passed != tt.passed || !strings.Contains(strings.Join(got[0].Reasons, "\n"), tt.reason) {
				t.Errorf("passed %v with reasons %q; want passed %v and a reason containing %q", got[0].Passed, got[0].Reasons, tt.passed, tt.reason)
			}
		})
	}
}
