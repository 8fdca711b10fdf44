package access_test

import (
	"reflect"
	"testing"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/policy"
)

// TestAssumerConditions checks that the conditions WhoCanAssume reports are
// the policies' own tests, operator and every value as written, never the
// example context the search found, and the denies the request escaped.
func TestAssumerConditions(t *testing.T) {
	type conds = map[string]map[string][]string
	github := "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"
	devOnly := func(cond conds) string { return trustOf(stmt("Allow", aws(dev), assume, cond)) }
	tests := []struct {
		name     string
		trust    string
		identity string // an inline policy added to the Developers group, if any
		want     []who
	}{
		{
			name: "StringLike with a wildcard and \"*\": every value as written, not the example",
			trust: trustOf(stmt("Allow", map[string][]string{"Federated": {github}}, []string{"sts:AssumeRoleWithWebIdentity"},
				conds{"StringLike": {"token.actions.githubusercontent.com:sub": {"repo:my-org/app:*", "*"}}})),
			want: []who{{github, []string{`with StringLike token.actions.githubusercontent.com:sub in ["repo:my-org/app:*", "*"]`},
				map[string][]string{"token.actions.githubusercontent.com:sub": {"repo:my-org/app:"}}}},
		},
		{
			name:  "an ExternalId tested with StringLike shows the operator",
			trust: devOnly(conds{"StringLike": {"sts:ExternalId": {"abc-*"}}}),
			want: []who{
				{david, []string{`with StringLike sts:ExternalId "abc-*"`}, map[string][]string{"sts:ExternalId": {"abc-"}}},
				{quinn, []string{`with StringLike sts:ExternalId "abc-*"`}, map[string][]string{"sts:ExternalId": {"abc-"}}},
			},
		},
		{
			name:  "several ExternalIds are all shown",
			trust: devOnly(conds{"StringEquals": {"sts:ExternalId": {"x", "y"}}}),
			want: []who{
				{david, []string{`with StringEquals sts:ExternalId in ["x", "y"]`}, map[string][]string{"sts:ExternalId": {"x"}}},
				{quinn, []string{`with StringEquals sts:ExternalId in ["x", "y"]`}, map[string][]string{"sts:ExternalId": {"x"}}},
			},
		},
		{
			name:  "a test that an absent key meets is still a condition of the trust",
			trust: devOnly(conds{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"true"}}}),
			want: []who{
				{Principal: david, Conditions: []string{`with BoolIfExists aws:MultiFactorAuthPresent "true"`}},
				{Principal: quinn, Conditions: []string{`with BoolIfExists aws:MultiFactorAuthPresent "true"`}},
			},
		},
		{
			name: "one statement that asks nothing is enough: no condition",
			trust: trustOf(stmt("Allow", aws(dev), assume, conds{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}}),
				stmt("Allow", aws(david), assume, nil)),
			want: []who{{Principal: david}, {quinn, []string{"with MFA"}, map[string][]string{"aws:MultiFactorAuthPresent": {"true"}}}},
		},
		{
			name: "a trust deny the request escapes is said with unless",
			trust: trustOf(stmt("Allow", aws(dev), assume, conds{"StringLike": {"sts:ExternalId": {"ab*"}}}),
				stmt("Deny", aws("*"), assume, conds{"StringLike": {"sts:ExternalId": {"abc*"}}})),
			want: []who{
				{david, []string{`with StringLike sts:ExternalId "ab*"`, `unless StringLike sts:ExternalId "abc*"`}, map[string][]string{"sts:ExternalId": {"ab"}}},
				{quinn, []string{`with StringLike sts:ExternalId "ab*"`, `unless StringLike sts:ExternalId "abc*"`}, map[string][]string{"sts:ExternalId": {"ab"}}},
			},
		},
		{
			name: "a deny of several tests is said whole",
			trust: trustOf(stmt("Allow", aws(dev), assume, nil),
				stmt("Deny", aws("*"), assume, conds{"Bool": {"aws:MultiFactorAuthPresent": {"false"}}, "StringEquals": {"sts:SourceIdentity": {"x"}}})),
			want: []who{
				{Principal: david, Conditions: []string{`unless (Bool aws:MultiFactorAuthPresent "false" and StringEquals sts:SourceIdentity "x")`}},
				{Principal: quinn, Conditions: []string{`unless (Bool aws:MultiFactorAuthPresent "false" and StringEquals sts:SourceIdentity "x")`}},
			},
		},
		{
			name:     "a deny unless MFA in the caller's own policy is said as with MFA",
			trust:    devOnly(nil),
			identity: policy.Document{Version: policy.Version, Statements: []policy.Statement{{Effect: "Deny", Actions: []string{"*"}, Resources: []string{"*"}, Conditions: conds{"BoolIfExists": {"aws:MultiFactorAuthPresent": {"false"}}}}}}.JSON(),
			want:     []who{{david, []string{"with MFA"}, map[string][]string{"aws:MultiFactorAuthPresent": {"true"}}}, {Principal: quinn}},
		},
		{
			name: "a deny that a test on the principal's own tags turns off is not shown",
			trust: trustOf(stmt("Allow", aws(dev), assume, nil),
				stmt("Deny", aws("*"), assume, conds{"StringEquals": {"aws:PrincipalTag/team": {"blocked"}}, "Bool": {"aws:MultiFactorAuthPresent": {"false"}}})),
			want: []who{{Principal: david}, {Principal: quinn}},
		},
		{
			name:  "a test on a key the state fixes for the principal is a fact about it, not shown",
			trust: devOnly(conds{"StringEquals": {"aws:PrincipalAccount": {dev}}, "Bool": {"aws:MultiFactorAuthPresent": {"true"}}}),
			want: []who{
				{david, []string{"with MFA"}, map[string][]string{"aws:MultiFactorAuthPresent": {"true"}}},
				{quinn, []string{"with MFA"}, map[string][]string{"aws:MultiFactorAuthPresent": {"true"}}},
			},
		},
		{
			name:  "across accounts the caller's own allow's conditions are shown too",
			trust: devOnly(nil),
			identity: policy.Document{Version: policy.Version, Statements: []policy.Statement{{Effect: "Deny", Actions: []string{"sts:AssumeRole"}, Resources: []string{"*"},
				Conditions: conds{"StringNotLike": {"sts:RoleSessionName": {"${aws:username}-*"}}}}}}.JSON(),
			want: []who{
				{david, []string{`unless StringNotLike sts:RoleSessionName "${aws:username}-*"`}, map[string][]string{"sts:RoleSessionName": {"David-"}}},
				{Principal: quinn},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := policy.Parse(tt.trust); err != nil {
				t.Fatalf("the test's trust policy does not parse: %v", err)
			}
			s := tutorialState(t)
			s.Accounts[prod].Roles["updateapp"].TrustPolicy = tt.trust
			if tt.identity != "" {
				s.Accounts[dev].Groups["developers"].InlinePolicies["extra"] = tt.identity
			}
			ev := access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t)})
			list := ev.WhoCanAssume(updateApp)
			if got := whoList(list); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WhoCanAssume(UpdateApp)\n got %+v\nwant %+v", got, tt.want)
			}
			for _, a := range list {
				if !a.Outside && !ev.CanAssume(a.Principal, updateApp, a.Context).Allowed {
					t.Errorf("%s is listed, but CanAssume refuses it under %v", a.Principal, a.Context)
				}
			}
		})
	}
}

// TestPolicyVariablesInTrust checks that who-can and explain agree on
// trust conditions that use policy variables: the variable takes the
// principal's own value, as when its request is evaluated.
func TestPolicyVariablesInTrust(t *testing.T) {
	type conds = map[string]map[string][]string
	tests := []struct {
		name  string
		cond  conds
		tags  map[string]string // David's tags
		want  []who
		quinn bool // whether Quinn (who has no tags) is listed too
	}{
		{
			name:  "session name must be the user name (role_requires_session_name)",
			cond:  conds{"StringEquals": {"sts:RoleSessionName": {"${aws:username}"}}},
			want:  []who{{david, []string{`with StringEquals sts:RoleSessionName "${aws:username}"`}, map[string][]string{"sts:RoleSessionName": {"David"}}}},
			quinn: true,
		},
		{
			name: "session name starts with the user's team tag",
			cond: conds{"StringLike": {"sts:RoleSessionName": {"${aws:PrincipalTag/team}-*"}}},
			tags: map[string]string{"team": "apps"},
			want: []who{{david, []string{`with StringLike sts:RoleSessionName "${aws:PrincipalTag/team}-*"`}, map[string][]string{"sts:RoleSessionName": {"apps-"}}}},
		},
		{
			name: "a tag with a star is literal in the value, not a wildcard",
			cond: conds{"StringLike": {"sts:RoleSessionName": {"${aws:PrincipalTag/team}"}}},
			tags: map[string]string{"team": "a*"},
			want: []who{{david, []string{`with StringLike sts:RoleSessionName "${aws:PrincipalTag/team}"`}, map[string][]string{"sts:RoleSessionName": {"a*"}}}},
		},
		{
			name:  "a default stands for a missing tag",
			cond:  conds{"StringEquals": {"sts:RoleSessionName": {"${aws:PrincipalTag/team, 'none'}"}}},
			want:  []who{{david, []string{`with StringEquals sts:RoleSessionName "${aws:PrincipalTag/team, 'none'}"`}, map[string][]string{"sts:RoleSessionName": {"none"}}}},
			quinn: true,
		},
		{
			name: "aws:userid is never derived: nobody",
			cond: conds{"StringEquals": {"sts:RoleSessionName": {"${aws:userid}"}}},
			want: []who{},
		},
		{
			name:  "escapes: ${$}{x} is the text ${x}",
			cond:  conds{"StringEquals": {"sts:ExternalId": {"${$}{x}"}}},
			want:  []who{{david, []string{`with ExternalId "${$}{x}"`}, map[string][]string{"sts:ExternalId": {"${x}"}}}},
			quinn: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tutorialState(t)
			s.Accounts[prod].Roles["updateapp"].TrustPolicy = trustDoc(tt.cond, dev)
			s.Accounts[dev].Users["david"].Tags = tt.tags
			ev := access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t)})
			list := ev.WhoCanAssume(updateApp)
			want := tt.want
			if tt.quinn {
				q := want[0]
				q.Principal = quinn
				if v, ok := q.Context["sts:RoleSessionName"]; ok && v[0] == "David" {
					q.Context = map[string][]string{"sts:RoleSessionName": {"Quinn"}}
				}
				want = append(append([]who{}, want...), q)
			}
			if got := whoList(list); !reflect.DeepEqual(got, want) {
				t.Errorf("WhoCanAssume(UpdateApp)\n got %+v\nwant %+v", got, want)
			}
			for _, a := range list {
				if !ev.CanAssume(a.Principal, updateApp, a.Context).Allowed {
					t.Errorf("%s is listed, but CanAssume refuses it under %v", a.Principal, a.Context)
				}
			}
		})
	}
}

// TestImpossiblePaths checks that a principal type is not listed through a
// statement that needs a key its requests never carry, and that empty
// principal lists admit nobody.
func TestImpossiblePaths(t *testing.T) {
	type conds = map[string]map[string][]string
	svc := map[string][]string{"Service": {"codedeploy.amazonaws.com"}}
	oidc := map[string][]string{"Federated": {"arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"}}
	web := []string{"sts:AssumeRoleWithWebIdentity"}
	tests := []struct {
		name  string
		trust string
		want  []who
	}{
		{"service with aws:PrincipalArn", trustOf(stmt("Allow", svc, assume, conds{"StringEquals": {"aws:PrincipalArn": {"arn:aws:iam::444455556666:role/admin"}}})), []who{}},
		{"service with ArnLike aws:PrincipalArn", trustOf(stmt("Allow", svc, assume, conds{"ArnLike": {"aws:PrincipalArn": {"arn:aws:iam::*:role/*"}}})), []who{}},
		{"service with MFA", trustOf(stmt("Allow", svc, assume, conds{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}})), []who{}},
		{"service with an organization", trustOf(stmt("Allow", svc, assume, conds{"StringEquals": {"aws:PrincipalOrgID": {"o-abc123"}}})), []who{}},
		{"service with an account", trustOf(stmt("Allow", svc, assume, conds{"StringEquals": {"aws:PrincipalAccount": {"444455556666"}}})), []who{}},
		{"service with a principal tag", trustOf(stmt("Allow", svc, assume, conds{"StringEquals": {"aws:PrincipalTag/team": {"x"}}})), []who{}},
		{"service with aws:username", trustOf(stmt("Allow", svc, assume, conds{"StringLike": {"aws:username": {"*"}}})), []who{}},
		{"service with Null aws:PrincipalArn false", trustOf(stmt("Allow", svc, assume, conds{"Null": {"aws:PrincipalArn": {"false"}}})), []who{}},
		{
			"service with what a service can carry",
			trustOf(stmt("Allow", svc, assume, conds{"StringEquals": {"aws:SourceAccount": {"999999999999"}}})),
			[]who{{"codedeploy.amazonaws.com", []string{`with StringEquals aws:SourceAccount "999999999999"`}, map[string][]string{"aws:SourceAccount": {"999999999999"}}}},
		},
		{
			"another statement admits the service",
			trustOf(stmt("Allow", svc, assume, conds{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}}), stmt("Allow", svc, assume, nil)),
			[]who{{Principal: "codedeploy.amazonaws.com"}},
		},
		{"federated provider with a principal tag", trustOf(stmt("Allow", oidc, web, conds{"StringEquals": {"aws:PrincipalTag/team": {"x"}}})), []who{}},
		{
			"an outside account root may carry aws:PrincipalArn: shown as written",
			trustOf(stmt("Allow", aws("arn:aws:iam::444455556666:root"), assume, conds{"StringEquals": {"aws:PrincipalArn": {"arn:aws:iam::444455556666:role/admin"}}})),
			[]who{{"arn:aws:iam::444455556666:root", []string{`with StringEquals aws:PrincipalArn "arn:aws:iam::444455556666:role/admin"`},
				map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::444455556666:role/admin"}}}},
		},
		{
			"an outside account's users have user names: a variable on aws:username may be met",
			trustOf(stmt("Allow", aws(vendorRoot), assume, conds{"StringEquals": {"sts:RoleSessionName": {"${aws:username}"}}})),
			[]who{{vendorRoot, []string{`with StringEquals sts:RoleSessionName "${aws:username}"`},
				map[string][]string{"aws:username": {"example"}, "sts:RoleSessionName": {"example"}}}},
		},
		{"a service has no user name to meet a variable on aws:username", trustOf(stmt("Allow", svc, assume, conds{"StringEquals": {"sts:RoleSessionName": {"${aws:username}"}}})), []who{}},
		{"empty Service list", trustOf(stmt("Allow", map[string][]string{"Service": {}}, assume, nil)), []who{}},
		{"empty AWS list", trustOf(stmt("Allow", map[string][]string{"AWS": {}}, assume, nil)), []who{}},
		{"empty Federated list", trustOf(stmt("Allow", map[string][]string{"Federated": {}}, web, nil)), []who{}},
		{"empty Principal object", trustOf(stmt("Allow", map[string][]string{}, assume, nil)), []who{}},
		{
			"a Deny with an empty AWS list denies nobody",
			trustOf(stmt("Allow", svc, assume, nil), stmt("Deny", map[string][]string{"AWS": {}}, assume, nil)),
			[]who{{Principal: "codedeploy.amazonaws.com"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := policy.Parse(tt.trust); err != nil {
				t.Fatalf("the test's trust policy does not parse: %v", err)
			}
			s := tutorialState(t)
			s.Accounts[prod].Roles["updateapp"].TrustPolicy = tt.trust
			ev := access.New(access.Inputs{State: s, Policies: resolveAWSManaged(t)})
			if got := whoList(ev.WhoCanAssume(updateApp)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WhoCanAssume(UpdateApp)\n got %+v\nwant %+v", got, tt.want)
			}
			// Judged alone (delegations, trusts_only) the same holds.
			for _, a := range ev.TrustAdmits(updateApp) {
				if a.Principal == "codedeploy.amazonaws.com" && len(tt.want) == 0 {
					t.Errorf("TrustAdmits lists %s %v", a.Principal, a.Conditions)
				}
			}
		})
	}
}
