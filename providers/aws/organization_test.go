package aws

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/trustform/trustform/engine/model"
)

// mgmtID is the management account of the organisation these tests make on
// moto, which keeps an organisation in the account that created it.
const mgmtID = "555555555555"

// motoOrganization makes, in mgmtID, an organisation with SCPs and RCPs
// enabled, an OU Workloads holding a new member account (moto picks its
// ID), an SCP denying sts:AssumeRole attached to the OU and an RCP attached
// to the member, and returns the member's ID.
func motoOrganization(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	c := sharedMoto(t).Organizations(mgmtID)
	must[*organizations.CreateOrganizationOutput](t)(c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}))
	roots := must[*organizations.ListRootsOutput](t)(c.ListRoots(ctx, &organizations.ListRootsInput{}))
	root := sdkaws.ToString(roots.Roots[0].Id)
	for _, typ := range []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy, orgtypes.PolicyTypeResourceControlPolicy} {
		must[*organizations.EnablePolicyTypeOutput](t)(c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &root, PolicyType: typ}))
	}
	ou := must[*organizations.CreateOrganizationalUnitOutput](t)(c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: sdkaws.String("Workloads")}))
	ouID := sdkaws.ToString(ou.OrganizationalUnit.Id)
	acct := must[*organizations.CreateAccountOutput](t)(c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: sdkaws.String("member"), Email: sdkaws.String("member@example.com")}))
	member := sdkaws.ToString(acct.CreateAccountStatus.AccountId)
	must[*organizations.MoveAccountOutput](t)(c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &member, SourceParentId: &root, DestinationParentId: &ouID}))
	scp := must[*organizations.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: sdkaws.String("deny-assume"), Type: orgtypes.PolicyTypeServiceControlPolicy,
		Description: sdkaws.String("test"), Content: sdkaws.String(deny("sts:AssumeRole", "*"))}))
	must[*organizations.AttachPolicyOutput](t)(c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: scp.Policy.PolicySummary.Id, TargetId: &ouID}))
	rcp := must[*organizations.CreatePolicyOutput](t)(c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: sdkaws.String("org-perimeter"), Type: orgtypes.PolicyTypeResourceControlPolicy,
		Description: sdkaws.String("test"), Content: sdkaws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}`)}))
	must[*organizations.AttachPolicyOutput](t)(c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: rcp.Policy.PolicySummary.Id, TargetId: &member}))
	return member
}

// TestReadOrganizationOnMoto reads the organisation made above through its
// management account: the paths of a member account and of the management
// account, an account outside the organisation left out, every policy
// document described once; and through an account in no organisation, an
// error naming the call and the account.
func TestReadOrganizationOnMoto(t *testing.T) {
	srv := sharedMoto(t)
	srv.Reset(t)
	srv.Env(t)
	member := motoOrganization(t)
	w := &wire{}
	p := newProvider(t, Options{APIOptions: []func(*middleware.Stack) error{w.option}})
	via := &model.AccountConfig{Address: "account.management", Name: "management", ID: mgmtID}
	org, err := p.ReadOrganization(context.Background(), via, []string{member, mgmtID, devID})
	if err != nil {
		t.Fatal(err)
	}
	if org.ManagementAccount != mgmtID || !strings.HasPrefix(org.ID, "o-") || !org.SCPs || !org.RCPs {
		t.Fatalf("organisation %+v: want management account %s, an o- ID, SCPs and RCPs enabled", org, mgmtID)
	}
	if _, ok := org.Paths[devID]; ok {
		t.Errorf("account %s, outside the organisation, has a path: %+v", devID, org.Paths[devID])
	}
	path := org.Paths[member]
	if len(path) != 3 || path[0].Kind != model.OrgRoot || path[1].Kind != model.OrgUnit || path[1].Name != "Workloads" || path[2].Kind != model.OrgAccount || path[2].ID != member {
		t.Fatalf("member's path %s, want root, OU Workloads, the account", describePath(path))
	}
	names := func(ps []model.OrgPolicy) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		level      *model.OrgLevel
		scps, rcps string
	}{
		{path[0], "FullAWSAccess", "RCPFullAWSAccess"},
		{path[1], "FullAWSAccess,deny-assume", "RCPFullAWSAccess"},
		{path[2], "FullAWSAccess", "RCPFullAWSAccess,org-perimeter"},
	} {
		// ListPoliciesForTarget's order is the API's; the reader sorts by ID.
		if got := sortedNames(names(c.level.SCPs)); got != sortedNames(c.scps) {
			t.Errorf("%s: SCPs %s, want %s", c.level.Label(), got, c.scps)
		}
		if got := sortedNames(names(c.level.RCPs)); got != sortedNames(c.rcps) {
			t.Errorf("%s: RCPs %s, want %s", c.level.Label(), got, c.rcps)
		}
	}
	if mp := org.Paths[mgmtID]; len(mp) != 2 || mp[0] != path[0] {
		t.Errorf("the management account's path %s, want the root (the same level as the member's) and the account", describePath(mp))
	}
	// The calls, each thing read once: 1 DescribeOrganization, 1 ListRoots,
	// ListParents for the member and its OU and for the management account
	// (the account not in the organisation asks once too), 1
	// DescribeOrganizationalUnit, 2 ListPoliciesForTarget per level (root,
	// OU, two accounts), one DescribePolicy per distinct policy (4).
	calls := w.take()
	want := map[string]int{
		"Organizations.DescribeOrganization": 1, "Organizations.ListRoots": 1, "Organizations.ListParents": 4,
		"Organizations.DescribeOrganizationalUnit": 1, "Organizations.ListPoliciesForTarget": 8, "Organizations.DescribePolicy": 4,
	}
	for op, n := range want {
		if calls[op] != n {
			t.Errorf("%s was called %d times, want %d (all calls: %v)", op, calls[op], n, calls)
		}
	}

	_, err = p.ReadOrganization(context.Background(), dev, []string{devID})
	var oe *orgError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "organizations:DescribeOrganization in account development (111111111111)") ||
		!strings.Contains(err.Error(), "in no organisation") {
		t.Fatalf("reading through an account in no organisation: %v, want an error naming DescribeOrganization, the account and what to do", err)
	}
}

func sortedNames(s string) string {
	parts := strings.Split(s, ",")
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

func describePath(path []*model.OrgLevel) string {
	var out []string
	for _, l := range path {
		out = append(out, l.Label())
	}
	return "[" + strings.Join(out, " / ") + "]"
}
