package expect_test

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/expect"
)

// TestTrustsOnly checks trusts_only against the trust policy judged alone:
// an account delegated to fails it even when nobody there can assume the
// role yet (where assumable_only_by passes), a listed account or principal
// covers what it should, and "*" passes only when pinned to a listed
// account.
func TestTrustsOnly(t *testing.T) {
	const updateApp = "arn:aws:iam::999999999999:role/UpdateApp"
	development := model.PrincipalRef{Kind: model.KindAccount, Account: "111111111111", Name: "development"}
	ci := model.PrincipalRef{Kind: model.KindRole, Account: "111111111111", Name: "Ci", ARN: "arn:aws:iam::111111111111:role/Ci"}
	trust := func(principal, cond string) string {
		if cond != "" {
			cond = `,"Condition":` + cond
		}
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"` + cond + `}]}`
	}
	tests := []struct {
		name   string
		trust  string
		list   []model.PrincipalRef
		passed bool
		reason string // in some reason
	}{
		{"the listed account", trust(`{"AWS":"111111111111"}`, ""), []model.PrincipalRef{development}, true, "names nobody outside the list"},
		{"a second, read account that nobody in can use yet", trust(`{"AWS":["111111111111","222222222222"]}`, ""), []model.PrincipalRef{development}, false,
			"account 222222222222 (any principal its own policies allow)"},
		{"a role of a listed account", trust(`{"AWS":"arn:aws:iam::111111111111:role/Ci"}`, ""), []model.PrincipalRef{development}, true, "names nobody"},
		{"a listed role, and its account is not listed", trust(`{"AWS":"arn:aws:iam::111111111111:role/Ci"}`, ""), []model.PrincipalRef{ci}, true, "names nobody"},
		{"the listed role's account", trust(`{"AWS":"111111111111"}`, ""), []model.PrincipalRef{ci}, false, "account 111111111111"},
		{"a user not listed", trust(`{"AWS":"arn:aws:iam::111111111111:user/David"}`, ""), []model.PrincipalRef{ci}, false, `user "David"`},
		{"a service", trust(`{"Service":"ec2.amazonaws.com"}`, ""), []model.PrincipalRef{development}, false, "ec2.amazonaws.com"},
		{`"*" pinned to the listed account`, trust(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`), []model.PrincipalRef{development}, true, "names nobody"},
		{`"*" pinned to another account`, trust(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":"333333333333"}}`), []model.PrincipalRef{development}, false, `every principal ("*")`},
		{`"*" in an organization`, trust(`"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}`), []model.PrincipalRef{development}, false, `every principal ("*")`},
		{`"*" pinned to two accounts, one listed`, trust(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}}`), []model.PrincipalRef{development}, false, `every principal ("*")`},
		{`"*" pinned to two accounts, the unlisted first`, trust(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":["222222222222","111111111111"]}}`), []model.PrincipalRef{development}, false, `every principal ("*")`},
		{`"*" pinned by a wildcard account`, trust(`"*"`, `{"StringLike":{"aws:PrincipalAccount":["111111111111","2*"]}}`), []model.PrincipalRef{development}, false, `every principal ("*")`},
		{`"*" pinned by ARNs, one in an unlisted account`, trust(`"*"`, `{"StringLike":{"aws:PrincipalArn":["arn:aws:iam::111111111111:*","arn:aws:iam::2*"]}}`), []model.PrincipalRef{development}, false, `every principal ("*")`},
		{`"*" pinned by ARNs of the listed account`, trust(`"*"`, `{"ArnLike":{"aws:PrincipalArn":["arn:aws:iam::111111111111:role/*","arn:aws:iam::111111111111:user/*"]}}`), []model.PrincipalRef{development}, true, "names nobody"},
		{`"*" pinned by IfExists`, trust(`"*"`, `{"StringEqualsIfExists":{"aws:PrincipalAccount":"111111111111"}}`), []model.PrincipalRef{development}, false, `every principal ("*")`},
		{`"*" pinned by a policy variable`, trust(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":"${aws:PrincipalAccount}"}}`), []model.PrincipalRef{development}, false, `every principal ("*")`},
		{`"*" and a Deny sparing two accounts, one listed`, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},` +
			`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalAccount":["111111111111","222222222222"]}}}]}`, []model.PrincipalRef{development}, false, `every principal ("*")`},
		{`"*" and a Deny sparing the listed account only`, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},` +
			`{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalAccount":"111111111111"}}}]}`, []model.PrincipalRef{development}, true, "names nobody"},
		{"an empty list and a trust policy naming nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}`, []model.PrincipalRef{}, true, "names nobody"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cases, err := access.LoadCase("../../testdata/eval/tutorial.json")
			if err != nil {
				t.Fatal(err)
			}
			s := cases[0].State()
			s.Account("222222222222", "aws")
			s.Accounts["999999999999"].Roles["updateapp"].TrustPolicy = tt.trust
			cfg := &model.Config{Expectations: []*model.ExpectConfig{{Address: "expect.trust", Role: updateApp, TrustsOnly: tt.list}}}
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
