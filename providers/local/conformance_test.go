package local_test

import (
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/internal/conformance"
	"github.com/trustform/trustform/providers/local"
)

// TestConformance runs the shared provider suite against the local target,
// each subtest on a simulation in a new, empty state directory. The AWS
// managed policies it holds are its built-in copies.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Harness{
		Name:       "local",
		AWSManaged: local.AWSManagedPolicy,
		Organization: func(t *testing.T, p engine.Provider, spec *model.OrganizationSpec) map[string]string {
			if err := p.(*local.Provider).SetOrganization(spec); err != nil {
				t.Fatal(err)
			}
			return nil
		},
		New: func(t *testing.T) (engine.Provider, []*model.AccountConfig) {
			p, err := local.Open(local.Options{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := p.Close(); err != nil {
					t.Errorf("closing the local target: %v", err)
				}
			})
			return p, []*model.AccountConfig{
				{Address: "account.development", Name: "development", ID: "111111111111", Partition: "aws"},
				{Address: "account.production", Name: "production", ID: "999999999999", Partition: "aws"},
			}
		},
	})
}
