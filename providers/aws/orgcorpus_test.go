package aws

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/providers/aws/mototest"
)

// corpusOrganizations counts the organisations made for the corpus, so
// that each has a management account of its own: a moto account holds one
// organisation, and one whose member accounts exist cannot be deleted.
var corpusOrganizations atomic.Int64

// corpusOrganization makes a corpus case's organisation on moto with AWS
// Organizations' own calls, as an administrator would: a new management
// account creates it and enables the policy types; OUs are created parents
// first; each member account is created (moto, like AWS, chooses its ID)
// and moved to its parent; each SCP and RCP is created and attached where
// the spec attaches it, FullAWSAccess detached where the spec's list leaves
// it out (RCPFullAWSAccess cannot be: "RCP syntax"). It returns each ID of
// the spec (accounts, organisation, root, OUs, policies) renamed to moto's,
// for conformance.Harness.Organization. nil spec: nothing to undo (the next
// case makes another organisation).
func corpusOrganization(srv *mototest.Server) func(t *testing.T, _ engine.Provider, spec *model.OrganizationSpec) map[string]string {
	return func(t *testing.T, _ engine.Provider, spec *model.OrganizationSpec) map[string]string {
		if spec == nil {
			return nil
		}
		if len(spec.DelegatedAdministrators) > 0 {
			t.Skip("the case registers delegated administrators, which this harness does not make on moto")
		}
		ctx := t.Context()
		check := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("making the case's organisation on moto: %s: %v", what, err)
			}
		}
		mgmt := fmt.Sprintf("5%011d", 100000+corpusOrganizations.Add(1))
		c := srv.Organizations(mgmt)
		renamed := map[string]string{spec.ManagementAccount: mgmt}
		o, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
		check("CreateOrganization", err)
		renamed[spec.ID] = sdkaws.ToString(o.Organization.Id)
		roots, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
		check("ListRoots", err)
		root := sdkaws.ToString(roots.Roots[0].Id)
		renamed[spec.Root.ID] = root
		for _, typ := range spec.PolicyTypes {
			_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &root, PolicyType: orgtypes.PolicyType(typ)})
			check("EnablePolicyType "+typ, err)
		}
		// OUs, each after its parent.
		for pending := slices.Sorted(maps.Keys(spec.Units)); len(pending) > 0; {
			var next []string
			for _, id := range pending {
				u := spec.Units[id]
				parent, ok := renamed[u.Parent]
				if !ok {
					next = append(next, id)
					continue
				}
				out, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &parent, Name: sdkaws.String(u.Name)})
				check("CreateOrganizationalUnit "+u.Name, err)
				renamed[id] = sdkaws.ToString(out.OrganizationalUnit.Id)
			}
			if len(next) == len(pending) {
				t.Fatalf("the case's OUs %v have parents that are neither the root nor an OU", next)
			}
			pending = next
		}
		move := func(account, parent string) {
			if parent == root {
				return
			}
			_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &account, SourceParentId: &root, DestinationParentId: &parent})
			check("MoveAccount "+account, err)
		}
		for _, id := range slices.Sorted(maps.Keys(spec.Accounts)) {
			a := spec.Accounts[id]
			if id == spec.ManagementAccount {
				move(mgmt, renamed[a.Parent])
				continue
			}
			out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: sdkaws.String("corpus-" + id), Email: sdkaws.String("corpus-" + id + "@example.com")})
			check("CreateAccount", err)
			renamed[id] = sdkaws.ToString(out.CreateAccountStatus.AccountId)
			move(renamed[id], renamed[a.Parent])
			removeAccessRole(t, srv, renamed[id])
		}
		for _, id := range slices.Sorted(maps.Keys(spec.Policies)) {
			p := spec.Policies[id]
			doc := string(p.Document)
			var s string
			if json.Unmarshal(p.Document, &s) == nil {
				doc = s
			}
			// A document may name the organisation, its OUs and accounts
			// (aws:PrincipalOrgID, aws:ResourceOrgPaths...): by moto's IDs,
			// all made above.
			doc = renamer(renamed).Replace(doc)
			out, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: sdkaws.String(p.Name), Type: orgtypes.PolicyType(p.Type),
				Description: sdkaws.String("evaluation corpus"), Content: &doc})
			check("CreatePolicy "+p.Name, err)
			renamed[id] = sdkaws.ToString(out.Policy.PolicySummary.Id)
		}
		attach := func(target string, scps, rcps *[]string) {
			for _, list := range []*[]string{scps, rcps} {
				if list == nil {
					continue
				}
				for _, id := range *list {
					if id == model.FullAWSAccess.ID || id == model.RCPFullAWSAccess.ID {
						continue // attached by Organizations itself
					}
					policy, ok := renamed[id]
					if !ok {
						t.Fatalf("the case attaches policy %s, which it does not describe", id)
					}
					_, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &policy, TargetId: &target})
					check("AttachPolicy "+id+" to "+target, err)
				}
			}
			if scps != nil && !slices.Contains(*scps, model.FullAWSAccess.ID) {
				_, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: sdkaws.String(model.FullAWSAccess.ID), TargetId: &target})
				check("DetachPolicy FullAWSAccess from "+target, err)
			}
		}
		attach(root, spec.Root.SCPs, spec.Root.RCPs)
		for _, id := range slices.Sorted(maps.Keys(spec.Units)) {
			attach(renamed[id], spec.Units[id].SCPs, spec.Units[id].RCPs)
		}
		for _, id := range slices.Sorted(maps.Keys(spec.Accounts)) {
			attach(renamed[id], spec.Accounts[id].SCPs, spec.Accounts[id].RCPs)
		}
		for from, to := range renamed {
			if strings.TrimSpace(to) == "" {
				t.Fatalf("moto gave %s no ID", from)
			}
		}
		return renamed
	}
}

// removeAccessRole deletes the OrganizationAccountAccessRole that
// CreateAccount puts in a new account (moto, as AWS does): the case's
// state is the whole account, and moto lets the harness reach the account
// without the role.
func removeAccessRole(t *testing.T, srv *mototest.Server, account string) {
	t.Helper()
	ctx := t.Context()
	c := srv.IAM(account)
	name := sdkaws.String(orgRole)
	if _, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: name}); err != nil {
		return // none to remove
	}
	attached, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: name})
	if err != nil {
		t.Fatalf("account %s: %v", account, err)
	}
	for _, p := range attached.AttachedPolicies {
		if _, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: name, PolicyArn: p.PolicyArn}); err != nil {
			t.Fatalf("account %s: %v", account, err)
		}
	}
	inline, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: name})
	if err != nil {
		t.Fatalf("account %s: %v", account, err)
	}
	for _, n := range inline.PolicyNames {
		if _, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: name, PolicyName: sdkaws.String(n)}); err != nil {
			t.Fatalf("account %s: %v", account, err)
		}
	}
	if _, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: name}); err != nil {
		t.Fatalf("account %s: deleting %s: %v", account, orgRole, err)
	}
}

// renamer replaces each renamed ID by moto's, longest first, as the suite
// renames the case itself.
func renamer(renamed map[string]string) *strings.Replacer {
	ids := slices.SortedFunc(maps.Keys(renamed), func(a, b string) int { return len(b) - len(a) })
	var pairs []string
	for _, id := range ids {
		pairs = append(pairs, id, renamed[id])
	}
	return strings.NewReplacer(pairs...)
}
