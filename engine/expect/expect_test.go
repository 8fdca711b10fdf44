package expect_test

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/expect"
)

// TestAssumableOnlyByIgnoresOutsiders checks that assumable_only_by keeps
// to the users and roles of the declared accounts, as documented: a trust
// policy that also opens the role to another account or a service does not
// fail it (the plan's access changes show those), while a declared user
// outside the list still does.
func TestAssumableOnlyByIgnoresOutsiders(t *testing.T) {
	const updateApp = "arn:aws:iam::999999999999:role/UpdateApp"
	developers := engine.PrincipalRef{Kind: engine.KindGroup, Account: "111111111111", Name: "Developers"}
	tests := []struct {
		name   string
		trust  string
		passed bool
		reason string // in some reason
	}{
		{
			name: "another account and a service can assume it too",
			trust: `{"Version":"2012-10-17","Statement":[
				{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::222222222222:root"]},"Action":"sts:AssumeRole"},
				{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
			passed: true, reason: "nobody outside the list can assume it",
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
			cfg := &engine.Config{Expectations: []*engine.ExpectConfig{{
				Address: "expect.only_developers", Role: updateApp, AssumableOnlyBy: []engine.PrincipalRef{developers},
			}}}
			got := expect.Check(cfg, s, access.New(s, cases[0].AWSManaged(nil)))
			if len(got) != 1 {
				t.Fatalf("%d results, want 1", len(got))
			}
			if got[0].Passed != tt.passed || !strings.Contains(strings.Join(got[0].Reasons, "\n"), tt.reason) {
				t.Errorf("passed %v with reasons %q; want passed %v and a reason containing %q", got[0].Passed, got[0].Reasons, tt.passed, tt.reason)
			}
		})
	}
}
