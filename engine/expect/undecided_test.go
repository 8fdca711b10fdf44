package expect_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/expect"
)

// TestUndecidedNeverPasses: thirteen conditional denies of UpdateApp's trust
// policy aimed at David, each turned off by a request tag of its own, make
// more ways around them than the evaluator tries, and only all thirteen tags
// together let David in. The search cannot decide for him, so no
// expectation that holds only if he cannot assume the role may pass: a
// passing cannot_assume or assumable_only_by would be a silent "nobody".
func TestUndecidedNeverPasses(t *testing.T) {
	const updateApp = "arn:aws:iam::999999999999:role/UpdateApp"
	const david = "arn:aws:iam::111111111111:user/David"
	var stmts []string
	stmts = append(stmts, `{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}`)
	for i := range 13 {
		stmts = append(stmts, fmt.Sprintf(`{"Effect":"Deny","Principal":{"AWS":%q},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:RequestTag/t%d":"v"}}}`, david, i))
	}
	trust := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
	davidRef := model.PrincipalRef{Kind: model.KindUser, Account: "111111111111", Name: "David", ARN: david}
	quinn := model.PrincipalRef{Kind: model.KindUser, Account: "111111111111", Name: "Quinn", ARN: "arn:aws:iam::111111111111:user/Quinn"}
	for _, tc := range []struct {
		name string
		x    model.ExpectConfig
	}{
		{"cannot_assume", model.ExpectConfig{Principal: &davidRef, CannotAssume: updateApp}},
		{"assumable_only_by", model.ExpectConfig{Role: updateApp, AssumableOnlyBy: []model.PrincipalRef{quinn}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cases, err := access.LoadCase("../../testdata/eval/tutorial.json")
			if err != nil {
				t.Fatal(err)
			}
			s := cases[0].State()
			s.Accounts["999999999999"].Roles["updateapp"].TrustPolicy = trust
			ev := access.New(access.Inputs{State: s, Policies: cases[0].AWSManaged(nil)})
			if _, undecided := ev.SearchAssumers(updateApp); len(undecided) != 1 || undecided[0] != david {
				t.Fatalf("undecided = %v: the case needs David undecided", undecided)
			}
			x := tc.x
			x.Address = "expect.x"
			got := expect.Check(&model.Config{Expectations: []*model.ExpectConfig{&x}}, s, ev)
			if got[0].Passed || !strings.Contains(strings.Join(got[0].Reasons, "\n"), "could not decide") {
				t.Fatalf("passed %v with reasons %q; want a failure saying trustform could not decide", got[0].Passed, got[0].Reasons)
			}
		})
	}
}
