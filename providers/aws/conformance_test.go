package aws

import (
	"fmt"
	"slices"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
	"github.com/trustform/trustform/internal/conformance"
	"github.com/trustform/trustform/providers/local"
)

// TestConformance runs the shared provider suite against the aws target on
// the test binary's moto_server, each subtest on emptied accounts. AWS
// managed policies resolve from the local target's copies of the real
// documents: moto loads its own (MOTO_IAM_LOAD_MANAGED_POLICIES), which may
// be other versions, but the evaluator reads documents from the resolver,
// never from the target; what matters is that moto holds the ARNs.
func TestConformance(t *testing.T) {
	srv := sharedMoto(t)
	conformance.Run(t, conformance.Harness{
		Name:       "aws",
		AWSManaged: local.AWSManagedPolicy,
		Unholdable: motoUnholdable,
		// moto places accounts in an organisation only by creating them,
		// with IDs of its own (it has no invitations), and gives OUs and
		// policies IDs of its own too: each case's organisation is made
		// anew and the case renamed to moto's IDs.
		Organization: corpusOrganization(srv),
		New: func(t *testing.T) (engine.Provider, []*model.AccountConfig) {
			srv.Reset(t)
			srv.Env(t)
			// No rate limit: the suite makes some 2,000 calls to two
			// accounts, which the default 20 a second per account would
			// stretch to over a minute of waiting. TestRateLimitPacesCalls
			// tests the limit itself.
			p, err := New(t.Context(), Options{AssumeRoleName: orgRole, RateLimit: -1})
			if err != nil {
				t.Fatal(err)
			}
			return p, []*model.AccountConfig{
				{Address: "account.development", Name: "development", ID: devID, Partition: "aws"},
				{Address: "account.production", Name: "production", ID: prodID, Partition: "aws"},
			}
		},
	})
}

// motoUnholdable names what moto refuses although IAM holds it: a policy
// document not in policy language version 2012-10-17 (or without a Version).
// moto validates every document it is given (CreatePolicy, Put*Policy,
// CreateRole, UpdateAssumeRolePolicy) with "Policy document must be version
// 2012-10-17 or greater", while AWS still documents 2008-10-17 as a version
// IAM supports, found on older existing policies.
func motoUnholdable(s *model.State) string {
	check := func(where, doc string) string {
		d, err := policy.Parse(doc)
		if err != nil || d.Version == policy.Version {
			return ""
		}
		v := d.Version
		if v == "" {
			v = "none given"
		}
		return fmt.Sprintf("%s is in policy language version %s, and moto refuses every document not in version %s", where, v, policy.Version)
	}
	for _, id := range s.AccountIDs() {
		a := s.Accounts[id]
		var why []string
		for _, p := range a.Policies {
			why = append(why, check(fmt.Sprintf("managed policy %q in %s", p.Name, id), p.Document))
		}
		for _, r := range a.Roles {
			why = append(why, check(fmt.Sprintf("the trust policy of role %q in %s", r.Name, id), r.TrustPolicy))
			for n, d := range r.InlinePolicies {
				why = append(why, check(fmt.Sprintf("inline policy %q of role %q in %s", n, r.Name, id), d))
			}
		}
		for _, g := range a.Groups {
			for n, d := range g.InlinePolicies {
				why = append(why, check(fmt.Sprintf("inline policy %q of group %q in %s", n, g.Name, id), d))
			}
		}
		for _, u := range a.Users {
			if u.PermissionsBoundary != "" {
				why = append(why, fmt.Sprintf("user %q in %s has a permissions boundary, and moto implements none for users (no PutUserPermissionsBoundary; CreateUser drops it)", u.Name, id))
			}
			for n, d := range u.InlinePolicies {
				why = append(why, check(fmt.Sprintf("inline policy %q of user %q in %s", n, u.Name, id), d))
			}
		}
		slices.Sort(why)
		if i := slices.IndexFunc(why, func(s string) bool { return s != "" }); i >= 0 {
			return why[i]
		}
	}
	return ""
}
