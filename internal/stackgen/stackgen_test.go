package stackgen

import (
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/schema"
)

// The generated stack loads, and the plan from empty has exactly Objects()
// changes, so that benchmark sizes mean what they say.
func TestGeneratedStackLoadsAndCounts(t *testing.T) {
	for _, spec := range []Spec{
		{Stack: "small", Accounts: 2, Roles: 5, Groups: 2},
		{Stack: "wide", Accounts: 5, Roles: 3, Groups: 1},
	} {
		t.Run(spec.Stack, func(t *testing.T) {
			dir := t.TempDir()
			if err := spec.Write(dir); err != nil {
				t.Fatal(err)
			}
			cfg, _, diags := schema.Load(dir, schema.Options{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			desired, err := engine.Desired(cfg)
			if err != nil {
				t.Fatal(err)
			}
			changes, err := engine.Diff(model.NewState(), desired, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != spec.Objects() {
				t.Fatalf("%d changes from empty, Objects() says %d", len(changes), spec.Objects())
			}
		})
	}
}
