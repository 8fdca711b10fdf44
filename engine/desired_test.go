package engine

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

// TestDesiredInlineNamesAcrossBlocks: inline policy names on one principal
// that differ only in case, from an inline_policy block and a grant or from
// two grants, are refused with an error naming both blocks (issue 14,
// point 7); names that differ in more than case pass.
func TestDesiredInlineNamesAcrossBlocks(t *testing.T) {
	const acct = "999999999999"
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	roleARN := "arn:aws:iam::" + acct + ":role/UpdateApp"
	src := func(line int) model.Source { return model.Source{Filename: "main.hcl", Line: line, Column: 1} }
	grant := func(address, effect, policyName string, line int, to model.PrincipalRef) *model.GrantConfig {
		return &model.GrantConfig{Address: address, Effect: effect, To: []model.PrincipalRef{to}, Roles: []string{roleARN}, PolicyName: policyName, Source: src(line)}
	}
	toRole := model.PrincipalRef{Kind: model.KindRole, Account: acct, Name: "UpdateApp"}
	toGroup := model.PrincipalRef{Kind: model.KindGroup, Account: acct, Name: "Developers"}
	tests := []struct {
		name   string
		inline map[string]string // the role's inline_policy blocks
		grants []*model.GrantConfig
		want   []string // parts of the error; nil for none
	}{
		{
			name:   "inline_policy Read and a grant's policy_name read on one role",
			inline: map[string]string{"Read": doc},
			grants: []*model.GrantConfig{grant("grant.read", "Allow", "read", 20, toRole)},
			want:   []string{"grant.read (main.hcl:20,1)", `inline_policy "Read" of role.update_app (main.hcl:1,1)`, "differs only in case", `"Read"`},
		},
		{
			name: "a grant's assume and a deny's ASSUME on one group",
			grants: []*model.GrantConfig{
				grant("grant.a", "Allow", "assume", 20, toGroup),
				grant("deny.b", "Deny", "ASSUME", 30, toGroup),
			},
			want: []string{"deny.b (main.hcl:30,1)", "grant.a (main.hcl:20,1)", "differs only in case", `"assume"`},
		},
		{
			name: "two grants with the same policy_name on one group",
			grants: []*model.GrantConfig{
				grant("grant.a", "Allow", "assume", 20, toGroup),
				grant("grant.b", "Allow", "assume", 30, toGroup),
			},
			want: []string{"grant.b (main.hcl:30,1)", "grant.a (main.hcl:20,1)", `named "assume"`},
		},
		{
			name:   "inline_policy and a grant of one exact name",
			inline: map[string]string{"read": doc},
			grants: []*model.GrantConfig{grant("grant.read", "Allow", "read", 20, toRole)},
			want:   []string{"grant.read (main.hcl:20,1)", `inline_policy "read" of role.update_app`},
		},
		{
			name:   "names that differ in more than case pass",
			inline: map[string]string{"Read": doc},
			grants: []*model.GrantConfig{grant("grant.read", "Allow", "read-2", 20, toRole), grant("deny.x", "Deny", "assume-deny", 30, toGroup)},
		},
		{
			name:   "one name on two principals passes",
			grants: []*model.GrantConfig{grant("grant.a", "Allow", "assume", 20, toGroup), grant("grant.b", "Allow", "ASSUME", 30, toRole)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &model.Config{
				Stack:    model.StackConfig{Name: "s"},
				Accounts: []*model.AccountConfig{{Address: "account.production", Name: "production", ID: acct}},
				Roles: []*model.RoleConfig{{Address: "role.update_app", Account: acct, Name: "UpdateApp", InlinePolicies: tt.inline, Source: src(1),
					TrustDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`}},
				Groups: []*model.GroupConfig{{Address: "group.developers", Account: acct, Name: "Developers", Source: src(10)}},
				Grants: tt.grants,
			}
			_, err := Desired(cfg)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Desired: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Desired accepted the stack")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %s:\n%v", w, err)
				}
			}
		})
	}
}
