package conformance

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine"
)

// testIdentityCheck wraps the target so that production's credentials act
// in another account, as a mistyped profile would. Reading or writing the
// wrong account is the one mistake a provisioner of access must not make:
// the plan must fail, naming the declared and the actual account, before any
// account is read or anything applied. The first case, with honest
// identities, shows the wrapper itself changes nothing.
func testIdentityCheck(t *testing.T, e *env) {
	e.seedExisting() // the stack's existing group, so that an honest plan succeeds
	cases := []struct {
		name     string
		reported string // the account production's identity reports; "" for its own
	}{
		{"identities of the declared accounts", ""},
		{"production acting in an undeclared account", "222222222222"},
		{"production acting in development", e.dev.ID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := e.with(t)
			rec := record(e.prov)
			if c.reported != "" {
				rec.identities = map[string]engine.Identity{e.prod.ID: {Account: c.reported, ARN: "arn:aws:iam::" + c.reported + ":user/someone"}}
			}
			_, err := engine.MakePlan(e.ctx, e.stackConfig(), rec, engine.PlanOptions{})
			reads, applies := rec.counts()
			if applies != 0 {
				t.Errorf("MakePlan applied %d changes", applies)
			}
			if c.reported == "" {
				if err != nil {
					t.Fatalf("with the declared identities MakePlan failed: %v", err)
				}
				if reads != len(e.accounts()) {
					t.Errorf("MakePlan read %d accounts, want %d", reads, len(e.accounts()))
				}
				return
			}
			if err == nil {
				t.Fatalf("production's identity is in account %s and MakePlan did not fail", c.reported)
			}
			for _, id := range []string{e.prod.ID, c.reported} {
				if !strings.Contains(err.Error(), id) {
					t.Errorf("the error does not name account %s: %v", id, err)
				}
			}
			if reads != 0 {
				t.Errorf("%d accounts were read although an identity did not match", reads)
			}
		})
	}
}
