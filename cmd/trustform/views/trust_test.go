package views

import (
	"reflect"
	"testing"
)

func TestReadTrust(t *testing.T) {
	const root = `{"AWS": "arn:aws:iam::111111111111:root"}`
	stmt := func(effect, action, cond string) string {
		s := `{"Effect": "` + effect + `", "Principal": ` + root + `, "Action": ` + action
		if cond != "" {
			s += `, "Condition": ` + cond
		}
		return s + `}`
	}
	doc := func(stmts ...string) string {
		out := `{"Version": "2012-10-17", "Statement": [`
		for i, s := range stmts {
			if i > 0 {
				out += ","
			}
			out += s
		}
		return out + `]}`
	}
	for _, tc := range []struct {
		name        string
		doc         string
		statements  int
		mfa         bool
		externalIDs []string
		other       bool
		conditions  []string // every test as written, and the denies that apply
	}{
		{name: "no condition", doc: doc(stmt("Allow", `"sts:AssumeRole"`, "")), statements: 1},
		{name: "MFA", doc: doc(stmt("Allow", `"sts:AssumeRole"`, `{"Bool": {"aws:MultiFactorAuthPresent": "true"}}`)), statements: 1, mfa: true, conditions: []string{"with MFA"}},
		{name: "MFA as a JSON boolean and key in another case", doc: doc(stmt("Allow", `"sts:AssumeRole"`, `{"Bool": {"AWS:multifactorauthpresent": true}}`)), statements: 1, mfa: true, conditions: []string{"with MFA"}},
		// BoolIfExists passes when the key is absent, as it is for long-term
		// access keys: it does not make the CLI pass MFA.
		{name: "BoolIfExists does not require MFA", doc: doc(stmt("Allow", `"sts:AssumeRole"`, `{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}`)), statements: 1, other: true,
			conditions: []string{`with BoolIfExists aws:MultiFactorAuthPresent "true"`}},
		{name: "ExternalIds sorted", doc: doc(stmt("Allow", `"sts:AssumeRole"`, `{"StringEquals": {"sts:ExternalId": ["b", "a"]}}`)), statements: 1, externalIDs: []string{"a", "b"},
			conditions: []string{`with StringEquals sts:ExternalId in ["b", "a"]`}},
		{name: "one ExternalId", doc: doc(stmt("Allow", `"sts:AssumeRole"`, `{"StringEquals": {"sts:ExternalId": "x"}}`)), statements: 1, externalIDs: []string{"x"},
			conditions: []string{`with ExternalId "x"`}},
		{name: "an ExternalId with a wildcard keeps its operator", doc: doc(stmt("Allow", `"sts:AssumeRole"`, `{"StringLike": {"sts:ExternalId": "x-*"}}`)), statements: 1, other: true,
			conditions: []string{`with StringLike sts:ExternalId "x-*"`}},
		{name: "other keys", doc: doc(stmt("Allow", `"sts:AssumeRole"`, `{"StringEquals": {"aws:PrincipalOrgID": "o-1"}}`)), statements: 1, other: true,
			conditions: []string{`if its account is in organization "o-1"`}},
		{name: "StringLike with a wildcard and everything", doc: doc(stmt("Allow", `"sts:AssumeRole"`, `{"StringLike": {"token.actions.githubusercontent.com:sub": ["repo:my-org/app:*", "*"]}, "Bool": {"aws:MultiFactorAuthPresent": "true"}}`)), statements: 1, mfa: true, other: true,
			conditions: []string{"with MFA", `with StringLike token.actions.githubusercontent.com:sub in ["repo:my-org/app:*", "*"]`}},
		{name: "a policy variable as written", doc: doc(stmt("Allow", `"sts:AssumeRole"`, `{"StringEquals": {"sts:RoleSessionName": "${aws:username}"}}`)), statements: 1, other: true,
			conditions: []string{`with StringEquals sts:RoleSessionName "${aws:username}"`}},
		{name: "deny without MFA", doc: doc(stmt("Allow", `"sts:AssumeRole"`, ""), stmt("Deny", `"sts:AssumeRole"`, `{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}`)), statements: 1, mfa: true,
			conditions: []string{"with MFA"}},
		{name: "a conditional deny written before the allow", doc: doc(stmt("Deny", `"sts:AssumeRole"`, `{"StringLike": {"sts:ExternalId": "bad-*"}}`), stmt("Allow", `"sts:AssumeRole"`, "")), statements: 1,
			conditions: []string{`unless StringLike sts:ExternalId "bad-*"`}},
		{name: "a conditional deny of other principals does not apply", doc: doc(stmt("Allow", `"sts:AssumeRole"`, ""),
			`{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}`), statements: 1},
		{name: "an unconditional deny is not an MFA rule", doc: doc(stmt("Allow", `"sts:AssumeRole"`, ""), stmt("Deny", `"sts:AssumeRole"`, "")), statements: 1},
		{name: "wildcard action", doc: doc(stmt("Allow", `"sts:Assume*"`, "")), statements: 1},
		{name: "all actions", doc: doc(stmt("Allow", `"*"`, "")), statements: 1},
		{name: "another STS action", doc: doc(stmt("Allow", `"sts:TagSession"`, "")), statements: 0},
		{name: "SAML is not AssumeRole", doc: doc(stmt("Allow", `"sts:AssumeRoleWithSAML"`, "")), statements: 0},
		{name: "NotAction that leaves AssumeRole", doc: doc(`{"Effect": "Allow", "Principal": ` + root + `, "NotAction": "sts:TagSession"}`), statements: 1},
		{name: "NotAction that removes AssumeRole", doc: doc(`{"Effect": "Allow", "Principal": ` + root + `, "NotAction": "sts:AssumeRole"}`), statements: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readTrust(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.statements {
				t.Fatalf("%d statements, want %d: %+v", len(got), tc.statements, got)
			}
			if tc.statements == 0 {
				return
			}
			s := got[0]
			if s.mfa != tc.mfa || !reflect.DeepEqual(s.externalIDs, tc.externalIDs) || s.other != tc.other {
				t.Fatalf("mfa %v, external ids %q, other %v; want %v, %q, %v", s.mfa, s.externalIDs, s.other, tc.mfa, tc.externalIDs, tc.other)
			}
			if !reflect.DeepEqual(s.conditions, tc.conditions) {
				t.Errorf("conditions %q, want %q", s.conditions, tc.conditions)
			}
		})
	}
}

func TestReadTrustRefusesBrokenDocument(t *testing.T) {
	if _, err := readTrust(`{"Statement": 1`); err == nil {
		t.Fatal("a broken trust policy was read")
	}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   trustedPrincipal
		want principalInfo
	}{
		{"root ARN", trustedPrincipal{"AWS", "arn:aws:iam::111111111111:root"},
			principalInfo{kind: "account", account: "111111111111", partition: "aws", value: "arn:aws:iam::111111111111:root"}},
		{"bare account id", trustedPrincipal{"AWS", "111111111111"},
			principalInfo{kind: "account", account: "111111111111", partition: "aws", value: "111111111111"}},
		{"role with a path", trustedPrincipal{"AWS", "arn:aws-cn:iam::111111111111:role/a/b/Deploy"},
			principalInfo{kind: "role", account: "111111111111", partition: "aws-cn", path: "/a/b/", name: "Deploy", value: "arn:aws-cn:iam::111111111111:role/a/b/Deploy"}},
		{"user", trustedPrincipal{"AWS", "arn:aws:iam::111111111111:user/David"},
			principalInfo{kind: "user", account: "111111111111", partition: "aws", path: "/", name: "David", value: "arn:aws:iam::111111111111:user/David"}},
		{"role session", trustedPrincipal{"AWS", "arn:aws:sts::111111111111:assumed-role/CI/build"},
			principalInfo{kind: "session", account: "111111111111", partition: "aws", name: "CI/build", value: "arn:aws:sts::111111111111:assumed-role/CI/build"}},
		{"wildcard", trustedPrincipal{"AWS", "*"}, principalInfo{kind: "anyone", partition: "aws", value: "*"}},
		{"Principal *", trustedPrincipal{"*", "*"}, principalInfo{kind: "anyone", partition: "aws", value: "*"}},
		{"service", trustedPrincipal{"Service", "ec2.amazonaws.com"}, principalInfo{kind: "service", partition: "aws", name: "ec2.amazonaws.com", value: "ec2.amazonaws.com"}},
		{"unique id of a deleted role", trustedPrincipal{"AWS", "AROAEXAMPLEID"}, principalInfo{kind: "other", partition: "aws", value: "AROAEXAMPLEID"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.in); got != tc.want {
				t.Fatalf("%+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestReadTrustFederated checks that a statement lets in the principals
// that call the action it allows: identity providers call the federated
// actions, not sts:AssumeRole.
func TestReadTrustFederated(t *testing.T) {
	const oidc = `"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"`
	const saml = `"arn:aws:iam::111111111111:saml-provider/Okta"`
	for _, tc := range []struct {
		name, principal, action string
		want                    []trustedPrincipal
	}{
		{"OIDC with web identity", `{"Federated": ` + oidc + `}`, `"sts:AssumeRoleWithWebIdentity"`,
			[]trustedPrincipal{{"Federated", "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}}},
		{"SAML with SAML", `{"Federated": ` + saml + `}`, `"sts:AssumeRoleWithSAML"`, []trustedPrincipal{{"Federated", "arn:aws:iam::111111111111:saml-provider/Okta"}}},
		{"OIDC under sts:AssumeRole lets nobody in", `{"Federated": ` + oidc + `}`, `"sts:AssumeRole"`, nil},
		{"SAML under web identity lets nobody in", `{"Federated": ` + saml + `}`, `"sts:AssumeRoleWithWebIdentity"`, nil},
		{"each principal by its own action", `{"AWS": "111111111111", "Federated": ` + saml + `}`, `"sts:AssumeRole"`, []trustedPrincipal{{"AWS", "111111111111"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readTrust(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": ` + tc.principal + `, "Action": ` + tc.action + `}]}`)
			if err != nil {
				t.Fatal(err)
			}
			var principals []trustedPrincipal
			for _, s := range got {
				principals = append(principals, s.principals...)
			}
			if !reflect.DeepEqual(principals, tc.want) {
				t.Errorf("principals %+v, want %+v", principals, tc.want)
			}
		})
	}
}
