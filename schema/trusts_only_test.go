package schema_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/schema"
)

// TestTrustsOnly checks the trusts_only form of an expect block: accounts,
// roles and users by reference or ARN, and the refusals a reviewer needs
// (a group is no principal; the role is required).
func TestTrustsOnly(t *testing.T) {
	const base = `
account "production" { id = "999999999999" }
account "development" { id = "111111111111" }
role "app" {
  account = account.production
  name    = "App"
  trust { accounts = [account.development] }
}
group "devs" {
  account  = account.development
  name     = "Developers"
  existing = true
}
`
	t.Run("references and ARNs", func(t *testing.T) {
		dir := writeStack(t, map[string]string{"main.hcl": base + `
expect "trust" {
  role        = role.app
  trusts_only = [account.development, "arn:aws:iam::333333333333:role/Ci", "arn:aws:iam::444444444444:root"]
}
`})
		cfg := mustLoad(t, dir, schema.Options{})
		got := cfg.Expectations[0]
		want := []model.PrincipalRef{
			{Kind: model.KindAccount, Account: "111111111111", Name: "development", ARN: "arn:aws:iam::111111111111:root"},
			{Kind: model.KindRole, Account: "333333333333", Name: "Ci", ARN: "arn:aws:iam::333333333333:role/Ci"},
			{Kind: model.KindAccount, Account: "444444444444", Name: "444444444444", ARN: "arn:aws:iam::444444444444:root"},
		}
		if got.Role != "arn:aws:iam::999999999999:role/App" || !reflect.DeepEqual(got.TrustsOnly, want) {
			t.Fatalf("got role %q, trusts_only %+v", got.Role, got.TrustsOnly)
		}
	})
	t.Run("an empty list is kept: the role must admit nobody", func(t *testing.T) {
		dir := writeStack(t, map[string]string{"main.hcl": base + `
expect "trust" {
  role        = role.app
  trusts_only = []
}
`})
		if got := mustLoad(t, dir, schema.Options{}).Expectations[0].TrustsOnly; got == nil || len(got) != 0 {
			t.Fatalf("trusts_only = %#v, want an empty, non-nil list", got)
		}
	})
	for _, tc := range []struct{ name, body, want string }{
		{"a group", "role = role.app\n  trusts_only = [group.devs]", "needs an account, role or user, but group.devs is a group"},
		{"no role", "trusts_only = [account.development]", `needs "role" as well`},
		{"with assumable_only_by", "role = role.app\n  trusts_only = [account.development]\n  assumable_only_by = [group.devs]", "Mixed expectation forms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeStack(t, map[string]string{"main.hcl": base + "\nexpect \"trust\" {\n  " + tc.body + "\n}\n"})
			if got := loadErrors(t, dir, schema.Options{}); !strings.Contains(got, tc.want) {
				t.Fatalf("errors lack %q:\n%s", tc.want, got)
			}
		})
	}
}
