package aws

import (
	"testing"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/providers/conformance"
)

// TestConformance runs the shared provider suite against the aws target on
// the test binary's moto_server, each subtest on emptied accounts.
func TestConformance(t *testing.T) {
	srv := sharedMoto(t)
	conformance.Run(t, conformance.Harness{
		Name: "aws",
		New: func(t *testing.T) (engine.Provider, []*engine.AccountConfig) {
			srv.Reset(t)
			srv.Env(t)
			p, err := New(t.Context(), Options{AssumeRoleName: orgRole})
			if err != nil {
				t.Fatal(err)
			}
			return p, []*engine.AccountConfig{
				{Address: "account.development", Name: "development", ID: devID, Partition: "aws"},
				{Address: "account.production", Name: "production", ID: prodID, Partition: "aws"},
			}
		},
	})
}
