package access_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/policy"
)

const (
	vendorRoot = "arn:aws:iam::222222222222:root"
	vendorRole = "arn:aws:iam::222222222222:role/Vendor"
)

// stmt is a trust statement for the tests: principals by type, actions,
// and an optional condition.
func stmt(effect string, principals map[string][]string, actions []string, cond map[string]map[string][]string) policy.Statement {
	return policy.Statement{Effect: effect, Principals: principals, Actions: actions, Conditions: cond}
}

func trustOf(stmts ...policy.Statement) string {
	return policy.Document{Version: policy.Version, Statements: stmts}.JSON()
}

var assume = []string{"sts:AssumeRole"}

func aws(v ...string) map[string][]string { return map[string][]string{"AWS": v} }

// TestWhoCanAssumeOutside checks the principals a trust policy names outside
// the state's accounts: reported with the least context the trust policy
// requires, removed by a trust Deny, and never for a declared account.
func TestWhoCanAssumeOutside(t *testing.T) {
	type conds = map[string]map[string][]string
	extID := conds{"StringEquals": {"sts:ExternalId": {"x"}}}
	tests := []struct {
		name  string
		trust string // UpdateApp's trust policy, in the tutorial state
		want  []who
	}{
		{
			name:  "an outside account root with an ExternalId",
			trust: trustOf(stmt("Allow", aws(vendorRoot), assume, extID)),
			want:  []who{{vendorRoot, []string{`with ExternalId "x"`}, map[string][]string{"sts:ExternalId": {"x"}}}},
		},
		{
			name:  "a bare outside account id is reported as its root ARN",
			trust: trustOf(stmt("Allow", aws("222222222222"), assume, nil)),
			want:  []who{{Principal: vendorRoot}},
		},
		{
			name:  "an outside role ARN",
			trust: trustOf(stmt("Allow", aws(vendorRole), assume, nil)),
			want:  []who{{Principal: vendorRole}},
		},
		{
			name:  "an outside session ARN",
			trust: trustOf(stmt("Allow", aws("arn:aws:sts::222222222222:assumed-role/Vendor/scan"), assume, nil)),
			want:  []who{{Principal: "arn:aws:sts::222222222222:assumed-role/Vendor/scan"}},
		},
		{
			name: "an outside role named with no condition needs none, though its account needs an ExternalId",
			trust: trustOf(stmt("Allow", aws(vendorRoot), assume, extID),
				stmt("Allow", aws(vendorRole), assume, nil)),
			want: []who{
				{Principal: vendorRole},
				{vendorRoot, []string{`with ExternalId "x"`}, map[string][]string{"sts:ExternalId": {"x"}}},
			},
		},
		{
			name: `"*" with an organization condition: anyone in the organization, the declared principals listed too`,
			trust: trustOf(stmt("Allow", map[string][]string{"*": {}}, assume,
				conds{"StringEquals": {"aws:PrincipalOrgID": {"o-abc123"}}})),
			want: []who{
				{"*", []string{`if its account is in organization "o-abc123"`}, map[string][]string{"aws:PrincipalOrgID": {"o-abc123"}}},
				{"arn:aws:iam::111111111111:user/David", []string{`if its account is in organization "o-abc123"`}, map[string][]string{"aws:PrincipalOrgID": {"o-abc123"}}},
				{"arn:aws:iam::111111111111:user/Quinn", []string{`if its account is in organization "o-abc123"`}, map[string][]string{"aws:PrincipalOrgID": {"o-abc123"}}},
				// In its own account a trust policy naming "*" lets the
				// role's own sessions in without an identity-based allow.
				{"arn:aws:iam::999999999999:role/UpdateApp", []string{`if its account is in organization "o-abc123"`}, map[string][]string{"aws:PrincipalOrgID": {"o-abc123"}}},
			},
		},
		{
			name: `{"AWS": "*"} limited to an outside account by a condition`,
			trust: trustOf(stmt("Allow", aws("*"), assume,
				conds{"StringEquals": {"aws:PrincipalAccount": {"222222222222"}}})),
			want: []who{{"*", []string{"if its account is 222222222222"}, map[string][]string{"aws:PrincipalAccount": {"222222222222"}}}},
		},
		{
			name: `{"AWS": "*"} limited to a declared account is that account's principals, not an outsider`,
			trust: trustOf(stmt("Allow", aws("*"), assume,
				conds{"StringEquals": {"aws:PrincipalAccount": {dev}}})),
			want: []who{{Principal: david}, {Principal: quinn}},
		},
		{
			name:  "a service principal",
			trust: trustOf(stmt("Allow", map[string][]string{"Service": {"ec2.amazonaws.com"}}, assume, nil)),
			want:  []who{{Principal: "ec2.amazonaws.com"}},
		},
		{
			name: "an OIDC provider allowed sts:AssumeRoleWithWebIdentity, with its audience",
			trust: trustOf(stmt("Allow", map[string][]string{"Federated": {"arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"}},
				[]string{"sts:AssumeRoleWithWebIdentity"}, conds{"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}}})),
			want: []who{{"arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
				[]string{`with StringEquals token.actions.githubusercontent.com:aud "sts.amazonaws.com"`},
				map[string][]string{"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}}}},
		},
		{
			name: "a SAML provider allowed sts:AssumeRoleWithSAML",
			trust: trustOf(stmt("Allow", map[string][]string{"Federated": {"arn:aws:iam::999999999999:saml-provider/Okta"}},
				[]string{"sts:AssumeRoleWithSAML"}, nil)),
			want: []who{{Principal: "arn:aws:iam::999999999999:saml-provider/Okta"}},
		},
		{
			name: "a federated provider under sts:AssumeRole alone can assume nothing",
			trust: trustOf(stmt("Allow", map[string][]string{"Federated": {"cognito-identity.amazonaws.com"}}, assume, nil),
				stmt("Allow", map[string][]string{"Federated": {"arn:aws:iam::999999999999:saml-provider/Okta"}}, []string{"sts:AssumeRoleWithWebIdentity"}, nil)),
			want: []who{},
		},
		{
			name: "an explicit trust Deny on the outside account removes it",
			trust: trustOf(stmt("Allow", aws(vendorRoot), assume, nil),
				stmt("Deny", aws("222222222222"), assume, nil)),
			want: []who{},
		},
		{
			name: "an explicit trust Deny on the account removes its roles too",
			trust: trustOf(stmt("Allow", aws(vendorRole), assume, nil),
				stmt("Deny", aws(vendorRoot), []string{"sts:*"}, nil)),
			want: []who{},
		},
		{
			name: `an explicit trust Deny on "*" removes the service`,
			trust: trustOf(stmt("Allow", map[string][]string{"Service": {"ec2.amazonaws.com"}}, assume, nil),
				stmt("Deny", map[string][]string{"*": {}}, assume, nil)),
			want: []who{},
		},
		{
			name: "a Deny on one role of the account leaves the rest of the account",
			trust: trustOf(stmt("Allow", aws(vendorRoot, vendorRole), assume, nil),
				stmt("Deny", aws(vendorRole), assume, nil)),
			want: []who{{Principal: vendorRoot}},
		},
		{
			name: "a Deny unless MFA asks the outside account for MFA",
			trust: trustOf(stmt("Allow", aws(vendorRoot), assume, nil),
				stmt("Deny", aws(vendorRoot), assume, conds{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"false"}}})),
			want: []who{{vendorRoot, []string{"with MFA"}, map[string][]string{"aws:MultiFactorAuthPresent": {"true"}}}},
		},
		{
			name: "a Deny whose NotPrincipal does not name the outsider removes it",
			trust: trustOf(stmt("Allow", aws(vendorRoot), assume, nil),
				policy.Statement{Effect: "Deny", NotPrincipals: aws("arn:aws:iam::111111111111:root"), Actions: assume}),
			want: []who{},
		},
		{
			name:  "a declared account's root is not an outsider: its users are listed",
			trust: trustOf(stmt("Allow", aws("arn:aws:iam::111111111111:root"), assume, nil)),
			want:  []who{{Principal: david}, {Principal: quinn}},
		},
		{
			name:  "a role a declared account lacks is nobody",
			trust: trustOf(stmt("Allow", aws("arn:aws:iam::111111111111:role/Missing"), assume, nil)),
			want:  []who{},
		},
		{
			name:  "an account of another partition cannot assume the role",
			trust: trustOf(stmt("Allow", aws("arn:aws-cn:iam::222222222222:root"), assume, nil)),
			want:  []who{},
		},
		{
			name: "an Allow with NotPrincipal adds no outsider",
			trust: trustOf(policy.Statement{Effect: "Allow", NotPrincipals: aws(vendorRoot), Actions: assume,
				Conditions: conds{"StringEquals": {"aws:PrincipalAccount": {dev}}}}),
			want: []who{{Principal: david}, {Principal: quinn}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := policy.Parse(tt.trust); err != nil {
				t.Fatalf("the test's trust policy does not parse: %v", err)
			}
			s := tutorialState(t)
			s.Accounts[prod].Roles["updateapp"].TrustPolicy = tt.trust
			list := access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t)}).WhoCanAssume(updateApp)
			if got := whoList(list); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WhoCanAssume(UpdateApp)\n got %+v\nwant %+v", got, tt.want)
			}
			for _, a := range list {
				if held := heldByState(s, a.Principal); a.Outside == held {
					t.Errorf("%s: Outside is %v", a.Principal, a.Outside)
				}
				if !a.Outside {
					continue
				}
				// An outsider's answer says that only the trust side was seen.
				if !a.Result.Allowed || len(a.Result.Reasons) == 0 || !anyContains(a.Result.Caveats, "only the trust policy was evaluated") {
					t.Errorf("%s: result %+v lacks an allow with reasons, or the caveat that only the trust policy was evaluated", a.Principal, a.Result)
				}
			}
		})
	}
}

// heldByState reports whether a principal is a user, role or session of
// the state's accounts, which WhoCanAssume evaluates in full.
func heldByState(s *model.State, principal string) bool {
	p := strings.SplitN(principal, ":", 6)
	if len(p) != 6 || s.Accounts[p[4]] == nil {
		return false
	}
	return strings.HasPrefix(p[5], "user/") || strings.HasPrefix(p[5], "role/") || strings.HasPrefix(p[5], "assumed-role/")
}

// arnPrincipal reads a principal ARN, as access changes carry it.
func arnPrincipal(t *testing.T, arn string) model.Principal {
	t.Helper()
	p, err := model.ParsePrincipal(arn)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDiffOutside checks that the access diff reports an outside principal
// gained and one lost, and a changed condition of one kept.
func TestDiffOutside(t *testing.T) {
	extID := func(v string) map[string]map[string][]string {
		return map[string]map[string][]string{"StringEquals": {"sts:ExternalId": {v}}}
	}
	before := tutorialState(t)
	before.Accounts[prod].Roles["updateapp"].TrustPolicy = trustOf(
		stmt("Allow", aws(dev), assume, nil),
		stmt("Allow", aws(vendorRoot), assume, extID("old")),
		stmt("Allow", map[string][]string{"Service": {"ec2.amazonaws.com"}}, assume, nil))
	after := tutorialState(t)
	after.Accounts[prod].Roles["updateapp"].TrustPolicy = trustOf(
		stmt("Allow", aws(dev), assume, nil),
		stmt("Allow", aws(vendorRoot), assume, extID("new")),
		stmt("Allow", aws("arn:aws:iam::333333333333:role/Scanner"), assume, nil))

	resolve := resolveAWSManaged(t)
	got := access.Diff(access.New(access.Inputs{State: before, Policies: resolve}), access.New(access.Inputs{State: after, Policies: resolve}))
	role := arnPrincipal(t, updateApp)
	want := []model.AccessChange{
		// The vendor's root is a delegation: its account, not read, decides.
		{Kind: model.AccessDelegation, Role: role, Principal: arnPrincipal(t, vendorRoot), Before: []string{`with ExternalId "old"`}, After: []string{`with ExternalId "new"`}, CanBefore: true, CanAfter: true, Today: []model.Principal{}},
		{Kind: model.AccessPrincipal, Role: role, Principal: arnPrincipal(t, "arn:aws:iam::333333333333:role/Scanner"), After: []string{}, CanAfter: true},
		{Kind: model.AccessPrincipal, Role: role, Principal: model.Principal{Kind: model.PrincipalService, Name: "ec2.amazonaws.com"}, Before: []string{}, CanBefore: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Diff\n got %+v\nwant %+v", got, want)
	}
	if !got[1].Broadens() {
		t.Errorf("gaining an outside role does not count as broadening: %+v", got[1])
	}
	if got[2].Broadens() {
		t.Errorf("losing the service counts as broadening: %+v", got[2])
	}
}

// TestDiffTypesPrincipals checks that the access diff carries each
// principal the trust policy comes to name with the kind the Principal element that named it gives: a
// service and a web identity provider are both named by a host, and a
// provider's host may look like a service's.
func TestDiffTypesPrincipals(t *testing.T) {
	webIdentity := []string{"sts:AssumeRoleWithWebIdentity"}
	before := tutorialState(t)
	after := tutorialState(t)
	after.Accounts[prod].Roles["updateapp"].TrustPolicy = trustOf(
		stmt("Allow", map[string][]string{"Service": {"ec2.amazonaws.com"}}, assume, nil),
		stmt("Allow", map[string][]string{"Federated": {"accounts.google.com", "token.actions.githubusercontent.com"}}, webIdentity, nil),
		stmt("Allow", map[string][]string{"Federated": {"arn:aws:iam::999999999999:saml-provider/Okta"}}, []string{"sts:AssumeRoleWithSAML"}, nil),
		stmt("Allow", aws(vendorRoot), assume, nil))
	resolve := resolveAWSManaged(t)
	got := map[string]model.PrincipalKind{}
	for _, c := range access.Diff(access.New(access.Inputs{State: before, Policies: resolve}), access.New(access.Inputs{State: after, Policies: resolve})) {
		if c.Role != arnPrincipal(t, updateApp) {
			t.Errorf("an access change of %+v, want of UpdateApp", c.Role)
		}
		got[c.Principal.String()] = c.Principal.Kind
	}
	want := map[string]model.PrincipalKind{
		"ec2.amazonaws.com":                            model.PrincipalService,
		"accounts.google.com":                          model.PrincipalWebIdentity,
		"token.actions.githubusercontent.com":          model.PrincipalWebIdentity,
		"arn:aws:iam::999999999999:saml-provider/Okta": model.PrincipalSAMLProvider,
		vendorRoot: model.PrincipalRoot,
	}
	for p, kind := range want {
		if got[p] != kind {
			t.Errorf("%s changes access as a %q, want a %q (all: %v)", p, got[p], kind, got)
		}
	}
}
