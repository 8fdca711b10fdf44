package access_test

import (
	"reflect"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/policy"
)

const (
	dev       = "111111111111"
	prod      = "999999999999"
	updateApp = "arn:aws:iam::999999999999:role/UpdateApp"
	david     = "arn:aws:iam::111111111111:user/David"
	tess      = "arn:aws:iam::111111111111:user/Tess"
	quinn     = "arn:aws:iam::111111111111:user/Quinn"
	nora      = "arn:aws:iam::111111111111:user/Nora"
)

// tutorialState is the state of the corpus's tutorial cases: Developers
// may assume UpdateApp, Testers are denied it, QA has PowerUserAccess only,
// Nora is in no group.
func tutorialState(t *testing.T) *model.State {
	t.Helper()
	cases, err := access.LoadCase("../../testdata/eval/tutorial.json")
	if err != nil {
		t.Fatal(err)
	}
	return cases[0].State()
}

func trustDoc(cond map[string]map[string][]string, principals ...string) string {
	return policy.Document{Version: policy.Version, Statements: []policy.Statement{{
		Effect: "Allow", Actions: []string{"sts:AssumeRole"},
		Principals: map[string][]string{"AWS": principals}, Conditions: cond,
	}}}.JSON()
}

// who is the comparable part of an Assumer.
type who struct {
	Principal  string
	Conditions []string
	Context    map[string][]string
}

func whoList(list []access.Assumer) []who {
	out := []who{}
	for _, a := range list {
		out = append(out, who{a.Principal, a.Conditions, a.Context})
	}
	return out
}

func TestWhoCanAssume(t *testing.T) {
	mfa := map[string][]string{"aws:MultiFactorAuthPresent": {"true"}}
	tests := []struct {
		name   string
		change func(s *model.State) // applied to the tutorial state
		role   string
		want   []who
	}{
		{
			name: "tutorial: David and the PowerUserAccess tester, not Tess nor Nora",
			role: updateApp,
			want: []who{{Principal: david}, {Principal: quinn}},
		},
		{
			name: "trust requires MFA: David with MFA",
			change: func(s *model.State) {
				s.Accounts[prod].Roles["updateapp"].TrustPolicy = trustDoc(
					map[string]map[string][]string{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}}, "arn:aws:iam::111111111111:root")
			},
			role: updateApp,
			want: []who{{david, []string{"with MFA"}, mfa}, {quinn, []string{"with MFA"}, mfa}},
		},
		{
			name: "trust requires an ExternalId",
			change: func(s *model.State) {
				s.Accounts[prod].Roles["updateapp"].TrustPolicy = trustDoc(
					map[string]map[string][]string{"StringEquals": {"sts:ExternalId": {"Unique-ID-1234"}}}, dev)
			},
			role: updateApp,
			want: []who{
				{david, []string{`with ExternalId "Unique-ID-1234"`}, map[string][]string{"sts:ExternalId": {"Unique-ID-1234"}}},
				{quinn, []string{`with ExternalId "Unique-ID-1234"`}, map[string][]string{"sts:ExternalId": {"Unique-ID-1234"}}},
			},
		},
		{
			name: "trust names David alone",
			change: func(s *model.State) {
				s.Accounts[prod].Roles["updateapp"].TrustPolicy = trustDoc(nil, david)
			},
			role: updateApp,
			want: []who{{Principal: david}},
		},
		{
			name: "a deny unless MFA in the Developers' policy asks David for MFA",
			change: func(s *model.State) {
				s.Accounts[dev].Groups["developers"].InlinePolicies["mfa"] = policy.Document{Version: policy.Version, Statements: []policy.Statement{{
					Effect: "Deny", Actions: []string{"*"}, Resources: []string{"*"},
					Conditions: map[string]map[string][]string{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"false"}}},
				}}}.JSON()
			},
			role: updateApp,
			want: []who{{david, []string{"with MFA"}, mfa}, {Principal: quinn}},
		},
		{
			name: "a condition on the principal's own tag is never invented",
			change: func(s *model.State) {
				s.Accounts[prod].Roles["updateapp"].TrustPolicy = trustDoc(
					map[string]map[string][]string{"StringEquals": {"aws:PrincipalTag/team": {"apps"}}}, dev)
				s.Accounts[dev].Users["david"].Tags = map[string]string{"team": "apps"}
			},
			role: updateApp,
			want: []who{{Principal: david}},
		},
		{
			name: "a session named in the trust policy is listed with its role",
			change: func(s *model.State) {
				a := s.Accounts[dev]
				a.Roles["ci"] = &model.Role{Name: "CI", Path: "/", TrustPolicy: trustDoc(nil, dev),
					InlinePolicies: map[string]string{"p": policy.Document{Version: policy.Version, Statements: []policy.Statement{{
						Effect: "Allow", Actions: []string{"sts:AssumeRole"}, Resources: []string{updateApp}}}}.JSON()}}
				s.Accounts[prod].Roles["updateapp"].TrustPolicy = trustDoc(nil, "arn:aws:sts::111111111111:assumed-role/CI/deploy")
			},
			role: updateApp,
			want: []who{{Principal: "arn:aws:sts::111111111111:assumed-role/CI/deploy"}},
		},
		{
			name: "a role that does not exist has no assumers",
			role: "arn:aws:iam::999999999999:role/Nope",
			want: []who{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tutorialState(t)
			if tt.change != nil {
				tt.change(s)
			}
			got := whoList(access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t)}).WhoCanAssume(tt.role))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WhoCanAssume(%s)\n got %+v\nwant %+v", tt.role, got, tt.want)
			}
		})
	}
}

// TestWhoCanAssumeResults checks that each assumer carries the evaluation
// that admitted it, so callers can explain the answer.
func TestWhoCanAssumeResults(t *testing.T) {
	list := access.New(access.Inputs{State: tutorialState(t), Policies: resolveAWSManaged(t)}).WhoCanAssume(updateApp)
	if len(list) == 0 {
		t.Fatal("nobody can assume UpdateApp")
	}
	for _, a := range list {
		if !a.Result.Allowed || len(a.Result.Reasons) == 0 || len(a.Result.Caveats) < 3 {
			t.Errorf("%s: result %+v lacks an allow with reasons and caveats", a.Principal, a.Result)
		}
	}
}
