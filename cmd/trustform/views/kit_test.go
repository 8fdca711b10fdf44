package views

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

func TestSwitchRoleURL(t *testing.T) {
	ext := "x"
	for _, tc := range []struct {
		name string
		role KitRole
		want string // "" when the console cannot switch
		note string
	}{
		{
			name: "plain",
			role: KitRole{Name: "UpdateApp", Path: "/", Account: KitAccount{Name: "production", ID: "999999999999", Partition: "aws"}},
			want: "https://signin.aws.amazon.com/switchrole?account=999999999999&roleName=UpdateApp&displayName=UpdateApp%20%40%20production",
		},
		{
			// The IAM User Guide: roleName=optional_path/role_name.
			name: "path kept in roleName",
			role: KitRole{Name: "role_XYZ", Path: "/division_abc/subdivision_efg/", Account: KitAccount{ID: "123456789012", Partition: "aws"}},
			want: "https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=division_abc/subdivision_efg/role_XYZ&displayName=role_XYZ",
		},
		{
			name: "characters escaped",
			role: KitRole{Name: "a+b=c,d.e@f", Path: "/", Account: KitAccount{Name: "dev team", ID: "123456789012", Partition: "aws"}},
			want: "https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=a%2Bb%3Dc%2Cd.e%40f&displayName=a%2Bb%3Dc%2Cd.e%40f%20%40%20dev%20team",
		},
		{
			name: "GovCloud sign-in",
			role: KitRole{Name: "R", Path: "/", Account: KitAccount{ID: "123456789012", Partition: "aws-us-gov"}},
			want: "https://signin.amazonaws-us-gov.com/switchrole?account=123456789012&roleName=R&displayName=R",
		},
		{
			name: "ExternalId",
			role: KitRole{Name: "R", Path: "/", Account: KitAccount{ID: "123456789012", Partition: "aws"}, ExternalID: &ext},
			note: "requires an ExternalId",
		},
		{
			name: "path and name over 64 characters",
			role: KitRole{Name: strings.Repeat("n", 40), Path: "/" + strings.Repeat("p", 24) + "/", Account: KitAccount{ID: "123456789012", Partition: "aws"}},
			note: "exceed 64 characters",
		},
		{
			name: "path and name of exactly 64 characters",
			role: KitRole{Name: strings.Repeat("n", 40), Path: "/" + strings.Repeat("p", 23) + "/", Account: KitAccount{ID: "123456789012", Partition: "aws"}},
			want: "https://signin.aws.amazon.com/switchrole?account=123456789012&roleName=" + strings.Repeat("p", 23) + "/" + strings.Repeat("n", 40) + "&displayName=" + strings.Repeat("n", 40),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, notes := switchRoleURL(tc.role, nil)
			if (got == nil) != (tc.want == "") || (got != nil && *got != tc.want) {
				t.Fatalf("got %v, want %q", got, tc.want)
			}
			if tc.note != "" && (len(notes) != 1 || !strings.Contains(notes[0], tc.note)) {
				t.Fatalf("notes %q, want one with %q", notes, tc.note)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"arn:aws:iam::1:role/a/B", "arn:aws:iam::1:role/a/B"},
		{"<user>", "'<user>'"},
		{"it's", `'it'\''s'`},
		{"a b", "'a b'"},
		{"", "''"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := shellQuote(tc.in); got != tc.want {
				t.Fatalf("%s, want %s", got, tc.want)
			}
		})
	}
}

func TestProfileNamesAreUnique(t *testing.T) {
	roles := []*model.RoleConfig{
		{Address: "role.app", Account: "111111111111", Name: "App"},
		{Address: `role.audit["a"]`, Account: "111111111111", Name: "Audit"},
		{Address: `role.audit["b"]`, Account: "222222222222", Name: "audit"},
	}
	got := profileNames("s", roles)
	for _, tc := range []struct {
		role int
		want string
	}{{0, "s-App"}, {1, "s-Audit-111111111111"}, {2, "s-audit-222222222222"}} {
		if got[roles[tc.role]] != tc.want {
			t.Errorf("%s: %q, want %q", roles[tc.role].Address, got[roles[tc.role]], tc.want)
		}
	}
}

func TestKitMFASerialAccount(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []string
		want string
	}{
		{"one account", []string{"111111111111", "111111111111"}, "111111111111"},
		{"several accounts", []string{"111111111111", "222222222222"}, kitCallerAccount},
		{"anyone", []string{""}, kitCallerAccount},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := oneAccount(tc.ids); got != tc.want {
				t.Fatalf("%q, want %q", got, tc.want)
			}
		})
	}
}

func TestGraphIDs(t *testing.T) {
	b := &graphBuilder{ids: map[string]bool{}}
	for _, tc := range []struct{ raw, want string }{
		{"user_111111111111_a.b", "user_111111111111_a_b"},
		{"user_111111111111_a@b", "user_111111111111_a_b_2"},
		{"service_ec2.amazonaws.com", "service_ec2_amazonaws_com"},
		{"anyone_*", "anyone"},
	} {
		if got := b.id(tc.raw); got != tc.want {
			t.Errorf("id(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestMermaidAndDOTEscaping(t *testing.T) {
	for _, tc := range []struct{ in, mermaid, dot string }{
		{`plain`, `plain`, `"plain"`},
		{`a"b`, `a#quot;b`, `"a\"b"`},
		{`#<>&`, `#35;#lt;#gt;#amp;`, `"#<>&"`},
		{`back\slash`, `back\slash`, `"back\\slash"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := mermaidText(tc.in); got != tc.mermaid {
				t.Errorf("mermaid %s, want %s", got, tc.mermaid)
			}
			if got := dotString(tc.in); got != tc.dot {
				t.Errorf("dot %s, want %s", got, tc.dot)
			}
		})
	}
}
