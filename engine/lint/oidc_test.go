package lint

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/policy"
)

const (
	ghProvider = "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com"
	ghAud      = `"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}`
)

// oidcTrust is an Allow of sts:AssumeRoleWithWebIdentity to one federated
// provider under the given condition operators (JSON object members).
func oidcTrust(effect, provider, conds string) string {
	st := `{"Effect":"` + effect + `","Principal":{"Federated":"` + provider + `"},"Action":"sts:AssumeRoleWithWebIdentity"`
	if conds != "" {
		st += `,"Condition":{` + conds + `}`
	}
	return st + "}"
}

func ghTrust(conds string) string { return oidcTrust("Allow", ghProvider, conds) }

// ghSub is GitHub's provider with the documented audience and one test of
// the sub claim.
func ghSub(op, values string) string {
	if op == "StringEquals" {
		return ghTrust(`"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":` + values + `}`)
	}
	return ghTrust(ghAud + `,"` + op + `":{"token.actions.githubusercontent.com:sub":` + values + `}`)
}

func provider(url string) string { return "arn:aws:iam::999999999999:oidc-provider/" + url }

func TestOIDCTrust(t *testing.T) {
	tests := []struct {
		name  string
		trust string // statements
		want  []string
		in    string // a part of the first finding's message
	}{
		// TF012: the sub claim.
		{"no condition at all", ghTrust(""), []string{"TF012", "TF013"}, "no condition on token.actions.githubusercontent.com:sub"},
		{"aud but no sub", ghTrust(ghAud), []string{"TF012"}, "any repository on GitHub.com"},
		{`sub "*"`, ghSub("StringLike", `"*"`), []string{"TF012"}, `StringLike "*", which leaves the organisation open`},
		{`sub "repo:*"`, ghSub("StringLike", `"repo:*"`), []string{"TF012"}, `"repo:*"`},
		{`sub "repo:*/*"`, ghSub("StringLike", `"repo:*/*"`), []string{"TF012"}, `"repo:*/*"`},
		{`sub "repo:*:*"`, ghSub("StringLike", `"repo:*:*"`), []string{"TF012"}, `"repo:*:*"`},
		{`sub "*:*"`, ghSub("StringLike", `"*:*"`), []string{"TF012"}, `"*:*"`},
		{`sub "repo:*/app:*": any owner's repository named app`, ghSub("StringLike", `"repo:*/app:*"`), []string{"TF012"}, `"repo:*/app:*"`},
		{`sub "repo:my-org*": also my-org-evil's repositories`, ghSub("StringLike", `"repo:my-org*"`), []string{"TF012"}, `"repo:my-org*"`},
		{`sub "repo:my-or?/*"`, ghSub("StringLike", `"repo:my-or?/*"`), []string{"TF012"}, `"repo:my-or?/*"`},
		{"one value of several admits everything", ghSub("StringLike", `["repo:my-org/app:*","*"]`), []string{"TF012"}, `StringLike "*"`},
		{`sub "repo:my-org/app:*"`, ghSub("StringLike", `"repo:my-org/app:*"`), nil, ""},
		{`sub "repo:my-org/*": the organisation's repositories`, ghSub("StringLike", `"repo:my-org/*"`), nil, ""},
		{"several pinned values", ghSub("StringLike", `["repo:my-org/app:*","repo:other-org/web:ref:refs/heads/main"]`), nil, ""},
		{"StringEquals exact", ghSub("StringEquals", `"repo:my-org/app:ref:refs/heads/main"`), nil, ""},
		{"StringEquals environment", ghSub("StringEquals", `"repo:my-org/app:environment:production"`), nil, ""},
		// Under StringEquals a * is a plain character: the role is closed to
		// everyone (no owner is named "*"), not open.
		{"StringEquals with a literal *", ghSub("StringEquals", `"repo:*/app:ref:refs/heads/main"`), nil, ""},
		{"StringEqualsIgnoreCase", ghSub("StringEqualsIgnoreCase", `"repo:My-Org/App:ref:refs/heads/main"`), nil, ""},
		// A customised sub template chosen by the owner: an owner claim first
		// pins it; a value any repository's template can produce does not.
		{"custom template led by the owner id", ghSub("StringEquals", `"repository_owner_id:12345:context:production"`), nil, ""},
		{"custom template of the owner alone", ghSub("StringEquals", `"repository_owner:my-org"`), nil, ""},
		{"custom template led by the repository id", ghSub("StringLike", `"repository_id:678:*"`), nil, ""},
		{"custom template without an owner claim", ghSub("StringEquals", `"context:production"`), []string{"TF012"}, `"context:production"`},
		{"custom template led by a reusable workflow", ghSub("StringLike", `"job_workflow_ref:my-org/deploy/.github/workflows/deploy.yml@*"`), []string{"TF012"}, "job_workflow_ref"},
		// ForAllValues holds when the key is absent, and is a set operator on
		// a single-valued key: it does not restrict. ForAnyValue is false
		// when the key is absent, and on a present single value is the plain
		// test: it does.
		{"ForAllValues:StringLike", ghSub("ForAllValues:StringLike", `"repo:my-org/app:*"`), []string{"TF012"}, "ForAllValues:StringLike (it holds when the claim is absent)"},
		{"ForAnyValue:StringLike", ghSub("ForAnyValue:StringLike", `"repo:my-org/app:*"`), nil, ""},
		{"ForAnyValue:StringLike admitting everything", ghSub("ForAnyValue:StringLike", `"repo:*"`), []string{"TF012"}, `"repo:*"`},
		{"StringLikeIfExists", ghSub("StringLikeIfExists", `"repo:my-org/app:*"`), []string{"TF012"}, "StringLikeIfExists (it holds when the claim is absent)"},
		{"StringNotEquals only", ghSub("StringNotEquals", `"repo:evil/app:ref:refs/heads/main"`), []string{"TF012"}, "StringNotEquals (it does not require any value)"},
		{"StringNotLike only", ghSub("StringNotLike", `"repo:evil/*"`), []string{"TF012"}, "StringNotLike"},
		{"Null only", ghSub("Null", `"false"`), []string{"TF012"}, "Null"},
		{"an unrelated key of the right name elsewhere", ghTrust(ghAud + `,"StringLike":{"gitlab.com:sub":"project_path:my-group/*"}`), []string{"TF012"}, "no condition on token.actions.githubusercontent.com:sub"},
		{"condition keys are case-insensitive", ghTrust(`"StringEquals":{"Token.Actions.GitHubUserContent.com:AUD":"sts.amazonaws.com"},"StringLike":{"TOKEN.actions.githubusercontent.com:Sub":"repo:my-org/*"}`), nil, ""},
		{"a wildcard action covers web identity", strings.Replace(ghTrust(ghAud), `"sts:AssumeRoleWithWebIdentity"`, `"sts:AssumeRoleWith*"`, 1), []string{"TF005", "TF012"}, ""},
		{"NotAction covers web identity", strings.Replace(ghTrust(ghAud), `"Action":"sts:AssumeRoleWithWebIdentity"`, `"NotAction":"sts:AssumeRole"`, 1), []string{"TF005", "TF012"}, ""},
		{"a Deny outside the organisation guards the Allow", ghTrust(ghAud) + "," +
			oidcTrust("Deny", ghProvider, `"StringNotLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/*"}`), nil, ""},
		{"a Deny that leaves the owner open does not", ghTrust(ghAud) + "," +
			oidcTrust("Deny", ghProvider, `"StringNotLike":{"token.actions.githubusercontent.com:sub":"repo:*"}`), []string{"TF012"}, ""},
		{"a ForAnyValue Deny does not (false when the claim is absent)", ghTrust(ghAud) + "," +
			oidcTrust("Deny", ghProvider, `"ForAnyValue:StringNotLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/*"}`), []string{"TF012"}, ""},
		{"a Deny with another condition too does not", ghTrust(ghAud) + "," +
			oidcTrust("Deny", ghProvider, `"StringNotLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/*"},"Bool":{"aws:SecureTransport":"true"}`), []string{"TF012"}, ""},
		{"a Deny statement alone never fires", plainTrust + "," + oidcTrust("Deny", ghProvider, ""), nil, ""},
		{"two statements, one open", ghSub("StringLike", `"repo:my-org/*"`) + "," + ghSub("StringLike", `"repo:*"`), []string{"TF012"}, "statement 2"},

		// Other providers of the list.
		{"GitHub enterprise issuer, no sub", oidcTrust("Allow", provider("token.actions.githubusercontent.com/octo-ent"), `"StringEquals":{"token.actions.githubusercontent.com/octo-ent:aud":"sts.amazonaws.com"}`),
			[]string{"TF012"}, "any repository of enterprise octo-ent"},
		{"GitHub enterprise issuer tested under github.com's key", oidcTrust("Allow", provider("token.actions.githubusercontent.com/octo-ent"), `"StringEquals":{"token.actions.githubusercontent.com/octo-ent:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/*"}`),
			[]string{"TF012"}, "no condition on token.actions.githubusercontent.com/octo-ent:sub"},
		{"GitHub enterprise issuer pinned", oidcTrust("Allow", provider("token.actions.githubusercontent.com/octo-ent"), `"StringEquals":{"token.actions.githubusercontent.com/octo-ent:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com/octo-ent:sub":"repo:my-org/*"}`), nil, ""},
		{"GHE.com, sub repo:*", oidcTrust("Allow", provider("token.actions.octocorp.ghe.com"), `"StringEquals":{"token.actions.octocorp.ghe.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.octocorp.ghe.com:sub":"repo:*"}`),
			[]string{"TF012"}, "GHE.com enterprise octocorp"},
		{"GitHub Enterprise Server, no sub", oidcTrust("Allow", provider("github.example.com/_services/token"), `"StringEquals":{"github.example.com/_services/token:aud":"sts.amazonaws.com"}`),
			[]string{"TF012"}, "GitHub Enterprise Server github.example.com"},
		{"GitLab.com pinned to a group", oidcTrust("Allow", provider("gitlab.com"), `"StringEquals":{"gitlab.com:aud":"https://gitlab.com"},"StringLike":{"gitlab.com:sub":"project_path:my-group/*"}`), nil, ""},
		{"GitLab.com any group", oidcTrust("Allow", provider("gitlab.com"), `"StringEquals":{"gitlab.com:aud":"https://gitlab.com"},"StringLike":{"gitlab.com:sub":"project_path:*"}`), []string{"TF012"}, "any project on GitLab.com"},
		{"HCP Terraform pinned to an organisation", oidcTrust("Allow", provider("app.terraform.io"), `"StringEquals":{"app.terraform.io:aud":"aws.workload.identity"},"StringLike":{"app.terraform.io:sub":"organization:my-org:project:*:workspace:prod:run_phase:*"}`), nil, ""},
		{"HCP Terraform any organisation's prod workspace", oidcTrust("Allow", provider("app.terraform.io"), `"StringEquals":{"app.terraform.io:aud":"aws.workload.identity"},"StringLike":{"app.terraform.io:sub":"organization:*:project:*:workspace:prod:run_phase:*"}`), []string{"TF012"}, "HCP Terraform"},
		{"Buildkite, no sub and no aud", oidcTrust("Allow", provider("agent.buildkite.com"), ""), []string{"TF012", "TF013"}, "any pipeline of any Buildkite organisation"},

		// TF013: the aud claim.
		{"aud present", ghSub("StringLike", `"repo:my-org/*"`), nil, ""},
		{"aud missing", ghTrust(`"StringLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/*"}`), []string{"TF013"}, "no condition on token.actions.githubusercontent.com:aud"},
		{"aud StringLike *", ghTrust(`"StringLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/*","token.actions.githubusercontent.com:aud":"*"}`), []string{"TF013"}, "admits any audience"},
		{"aud IfExists", ghTrust(`"StringEqualsIfExists":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/*"}`), []string{"TF013"}, "StringEqualsIfExists"},
		{"aud ForAnyValue", ghTrust(`"ForAnyValue:StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/*"}`), nil, ""},
		{"aud guarded by a Deny", ghTrust(`"StringLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/*"}`) + "," +
			oidcTrust("Deny", ghProvider, `"StringNotEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}`), nil, ""},

		// Trust that is not in a listed CI provider's OIDC provider.
		{"a non-OIDC trust", plainTrust, nil, ""},
		{"a service principal", `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`, nil, ""},
		{"a SAML provider", `{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::999999999999:saml-provider/Okta"},"Action":"sts:AssumeRoleWithSAML"}`, nil, ""},
		{"Cognito", `{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`, nil, ""},
		{"some other OIDC provider", oidcTrust("Allow", provider("oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF"), ""), nil, ""},
		{"CircleCI: the issuer names the organisation", oidcTrust("Allow", provider("oidc.circleci.com/org/11111111-2222-3333-4444-555555555555"), ""), nil, ""},
		{"Bitbucket: the issuer names the workspace", oidcTrust("Allow", provider("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc"), ""), nil, ""},
		{"GitHub's provider under sts:AssumeRole only", strings.Replace(ghTrust(""), "sts:AssumeRoleWithWebIdentity", "sts:AssumeRole", 1), nil, ""},
		{"a GitHub Deny statement", oidcTrust("Deny", ghProvider, `"StringLike":{"token.actions.githubusercontent.com:sub":"repo:*"}`) + "," + plainTrust, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			findings := Check(stack(trustDoc(tc.trust), nil))
			var got, text []string
			for _, f := range findings {
				got = append(got, f.ID)
				text = append(text, f.ID+": "+f.Message+"\n  fix: "+f.Hint)
				if f.Message == "" || f.Hint == "" || f.Address != "role.update_app" || f.Severity == "" || f.Rule == "" {
					t.Errorf("finding %s lacks a field: %+v", f.ID, f)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("findings %v, want %v\n%s", got, tc.want, strings.Join(text, "\n"))
			}
			if tc.in != "" && !strings.Contains(findings[len(findings)-1].Message+findings[0].Message, tc.in) {
				t.Errorf("no message holds %q:\n%s", tc.in, strings.Join(text, "\n"))
			}
		})
	}
}

// The trust blocks of a role are rendered to IAM JSON by policy.Document's
// JSON, which writes every value as a list; trust_document keeps the JSON
// as written. Lint reads the rendered JSON, so both forms are judged alike.
func TestOIDCTrustRenderedForm(t *testing.T) {
	doc := func(sub ...string) string {
		st := policy.Statement{Effect: "Allow", Actions: []string{"sts:AssumeRoleWithWebIdentity"},
			Principals: map[string][]string{"Federated": {ghProvider}},
			Conditions: map[string]map[string][]string{"StringEquals": {"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"}}}}
		if len(sub) > 0 {
			st.Conditions["StringLike"] = map[string][]string{"token.actions.githubusercontent.com:sub": sub}
		}
		return policy.Document{Version: policy.Version, Statements: []policy.Statement{st}}.JSON()
	}
	for _, tc := range []struct {
		name string
		doc  string
		want []string
	}{
		{"no sub", doc(), []string{"TF012"}},
		{"any owner", doc("repo:my-org/app:*", "repo:*"), []string{"TF012"}},
		{"pinned", doc("repo:my-org/app:*"), nil},
	} {
		var got []string
		for _, f := range Check(stack(tc.doc, nil)) {
			got = append(got, f.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %s: findings %v, want %v", tc.name, tc.doc, got, tc.want)
		}
	}
}
