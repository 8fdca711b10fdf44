package lint

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

const (
	dev     = "111111111111"
	prod    = "999999999999"
	vendor  = "777777777777"
	devRoot = "arn:aws:iam::111111111111:root"
)

func trustDoc(statements string) string {
	return `{"Version":"2012-10-17","Statement":[` + statements + `]}`
}

func permDoc(statements string) string { return trustDoc(statements) }

// stack is the tutorial's shape: a role in production trusted by
// development, a vendor account declared external.
func stack(trust string, mutate func(cfg *model.Config)) *model.Config {
	cfg := &model.Config{
		Stack: model.StackConfig{Name: "s"},
		Accounts: []*model.AccountConfig{
			{Address: "account.development", Name: "development", ID: dev, Partition: "aws"},
			{Address: "account.production", Name: "production", ID: prod, Partition: "aws"},
			{Address: "account.vendor", Name: "vendor", ID: vendor, Partition: "aws", External: true},
		},
		Roles: []*model.RoleConfig{{Address: "role.update_app", Account: prod, Name: "UpdateApp", Path: "/", TrustDocument: trust,
			InlinePolicies: map[string]string{}, Source: model.Source{Filename: "main.hcl", Line: 10, Column: 1}}},
		Groups: []*model.GroupConfig{{Address: "group.testers", Account: dev, Name: "Testers", Existing: true}},
	}
	if mutate != nil {
		mutate(cfg)
	}
	return cfg
}

const plainTrust = `{"Effect":"Allow","Principal":{"AWS":"` + devRoot + `"},"Action":"sts:AssumeRole"}`

type ruleCase struct {
	name string
	cfg  *model.Config
	want []string // finding ids, in order
}

func ruleCases() []ruleCase {
	return []ruleCase{
		{"the tutorial is clean", stack(trustDoc(plainTrust), nil), nil},
		{"Principal * alone", stack(trustDoc(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}`), nil), []string{"TF001"}},
		{"AWS * alone", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}`), nil), []string{"TF001"}},
		{"AWS * restricted to the organisation", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}`), nil), nil},
		{"AWS * with a negated condition is not restricted", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc"}}}`), nil), []string{"TF001"}},
		{"Allow with NotPrincipal", stack(trustDoc(`{"Effect":"Allow","NotPrincipal":{"AWS":"`+devRoot+`"},"Action":"sts:AssumeRole"}`), nil), []string{"TF002"}},
		{"an external account without ExternalId", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777777777777:root"},"Action":"sts:AssumeRole"}`), nil), []string{"TF003"}},
		{"an undeclared account by bare id", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}`), nil), []string{"TF003"}},
		{"an external account with ExternalId", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777777777777:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x-1"}}}`), nil), nil},
		{"MFA false in an Allow", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"`+devRoot+`"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`), nil), []string{"TF004"}},
		{"MFA with BoolIfExists in an Allow", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"`+devRoot+`"},"Action":"sts:AssumeRole","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}}`), nil), []string{"TF004"}},
		{"MFA required with Bool true", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"`+devRoot+`"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}`), nil), nil},
		{"a Deny with Bool false misses long-term keys", stack(trustDoc(plainTrust+`,{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`), nil), []string{"TF004"}},
		{"a Deny with BoolIfExists false is right", stack(trustDoc(plainTrust+`,{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}`), nil), nil},
		{"wildcard action in trust", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"`+devRoot+`"},"Action":"sts:*"}`), nil), []string{"TF005"}},
		{"AdministratorAccess on a cross-account role", stack(trustDoc(plainTrust), func(c *model.Config) {
			c.Roles[0].ManagedPolicies = []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
		}), []string{"TF006"}},
		{"* on * inline on a cross-account role", stack(trustDoc(plainTrust), func(c *model.Config) {
			c.Roles[0].InlinePolicies["all"] = permDoc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)
		}), []string{"TF006"}},
		{"AdministratorAccess on a role only its own account trusts", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}`), func(c *model.Config) {
			c.Roles[0].ManagedPolicies = []string{"arn:aws:iam::aws:policy/AdministratorAccess"}
		}), nil},
		{"a stack policy with * on * attached to a cross-account role", stack(trustDoc(plainTrust), func(c *model.Config) {
			c.Policies = []*model.PolicyConfig{{Address: "policy.all", Account: prod, Name: "all", Path: "/", Document: permDoc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)}}
			c.Roles[0].ManagedPolicies = []string{model.PolicyARN("aws", prod, "/", "all")}
		}), []string{"TF006"}},
		{"sts:AssumeRole on any role", stack(trustDoc(plainTrust), func(c *model.Config) {
			c.Groups[0].Existing = false
			c.Groups[0].InlinePolicies = map[string]string{"any": permDoc(`{"Effect":"Allow","Action":"sts:Assume*","Resource":"*"}`)}
		}), []string{"TF007"}},
		{"a principal by unique id", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"AROAEXAMPLEID1234567"},"Action":"sts:AssumeRole"}`), nil), []string{"TF008"}},
		{"a role of another partition", stack(trustDoc(plainTrust), func(c *model.Config) {
			c.Policies = []*model.PolicyConfig{{Address: "policy.cn", Account: dev, Name: "cn", Path: "/", Document: permDoc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws-cn:iam::999999999999:role/UpdateApp"}`)}}
		}), []string{"TF009"}},
		{"a deny on a role that does not trust the account", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::777777777777:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x-1"}}}`), func(c *model.Config) {
			c.Grants = []*model.GrantConfig{{Address: "deny.testers", Effect: "Deny", Roles: []string{model.RoleARN("aws", prod, "/", "UpdateApp")},
				To: []model.PrincipalRef{{Kind: model.KindGroup, Account: dev, Name: "Testers", ARN: model.GroupARN("aws", dev, "/", "Testers")}}}}
		}), []string{"TF010"}},
		{"the tutorial's deny takes effect", stack(trustDoc(plainTrust), func(c *model.Config) {
			c.Grants = []*model.GrantConfig{{Address: "deny.testers", Effect: "Deny", Roles: []string{model.RoleARN("aws", prod, "/", "UpdateApp")},
				To: []model.PrincipalRef{{Kind: model.KindGroup, Account: dev, Name: "Testers", ARN: model.GroupARN("aws", dev, "/", "Testers")}}}}
		}), nil},
		{"GitHub OIDC trust with no sub", stack(trustDoc(ghTrust(`"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}`)), nil), []string{"TF012"}},
		{"GitHub OIDC trust pinned to a repository", stack(trustDoc(ghTrust(ghAud+`,"StringLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/app:*"}`)), nil), nil},
		{"GitHub OIDC trust with no aud", stack(trustDoc(ghTrust(`"StringLike":{"token.actions.githubusercontent.com:sub":"repo:my-org/app:*"}`)), nil), []string{"TF013"}},
		{"AWS * with StringLike aws:PrincipalArn *", stack(trustDoc(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:PrincipalArn":"*"}}}`), nil), []string{"TF001"}},
		{"a homoglyph condition key", stack(trustDoc(`{"Effect":"Allow","Principal":{"AWS":"`+devRoot+`"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"аws:PrincipalOrgID":"o-abc"}}}`), nil), []string{"TF014"}},
		{"duplicate Sids", stack(trustDoc(`{"Sid":"A","Effect":"Allow","Principal":{"AWS":"`+devRoot+`"},"Action":"sts:AssumeRole"},{"Sid":"A","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), nil), []string{"TF011"}},
	}
}

func TestRules(t *testing.T) {
	for _, tc := range ruleCases() {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			findings := Check(tc.cfg)
			for _, f := range findings {
				got = append(got, f.ID)
				if f.Message == "" || f.Hint == "" || f.Address == "" || f.Severity == "" || f.Rule == "" {
					t.Errorf("finding %s lacks a field: %+v", f.ID, f)
				}
			}
			if !slices.Equal(got, tc.want) {
				var text []string
				for _, f := range findings {
					text = append(text, f.ID+": "+f.Message)
				}
				t.Fatalf("findings %v, want %v\n%s", got, tc.want, strings.Join(text, "\n"))
			}
		})
	}
}

func TestEveryRuleIsTested(t *testing.T) {
	// A rule no case triggers is a check that may never fire.
	fired := map[string]bool{}
	for _, tc := range ruleCases() {
		for _, id := range tc.want {
			fired[id] = true
		}
	}
	for _, r := range Rules {
		if !fired[r.ID] {
			t.Errorf("no case of TestRules expects %s (%s)", r.ID, r.Name)
		}
	}
}

func TestRuleIDsFollowOneAnother(t *testing.T) {
	// Ids are stable and new rules take the next one: TF001, TF002, …
	names := map[string]bool{}
	for i, r := range Rules {
		if want := fmt.Sprintf("TF%03d", i+1); r.ID != want {
			t.Errorf("rule %d is %s, want %s", i, r.ID, want)
		}
		if names[r.Name] || r.Name == "" || r.Summary == "" || r.Severity == "" {
			t.Errorf("rule %s: name %q repeated or a field empty", r.ID, r.Name)
		}
		names[r.Name] = true
	}
}
