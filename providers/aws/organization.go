package aws

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
)

var _ engine.OrganizationReader = (*Provider)(nil)

// OrganizationReadPermissions are the actions ReadOrganization calls, all
// read-only; AWS Organizations answers them in the management account and
// in a member account that is a delegated administrator for Organizations
// (its API reference: "You can only call this operation from the management
// account or a member account that is a delegated administrator").
var OrganizationReadPermissions = []string{
	"organizations:DescribeOrganization", "organizations:ListRoots", "organizations:ListParents",
	"organizations:DescribeOrganizationalUnit", "organizations:ListPoliciesForTarget", "organizations:DescribePolicy",
}

// orgReadWorkers bounds the accounts whose paths are read at once: AWS
// Organizations throttles per account at a few requests a second.
const orgReadWorkers = 4

// ReadOrganization reads, through account via, the organisation and where
// each of the accounts sits, with as few calls as the API allows:
// DescribeOrganization and ListRoots once; ListParents per level of each
// account's path, each OU's parent read once for all accounts under it;
// DescribeOrganizationalUnit once per OU; ListPoliciesForTarget once per
// level and enabled policy type (SCPs, RCPs), each level once; and
// DescribePolicy once per distinct policy (FullAWSAccess, attached almost
// everywhere, once). The organisation's effective policies cannot be asked
// for: DescribeEffectivePolicy does not cover SCPs and RCPs. An account
// that is not in the organisation has no path.
func (p *Provider) ReadOrganization(ctx context.Context, via *model.AccountConfig, accounts []string) (*model.Organization, error) {
	s, err := p.session(ctx, via)
	if err != nil {
		return nil, err
	}
	r := &orgReader{c: s.orgs, via: via}
	d, err := r.c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil {
		return nil, r.fail("DescribeOrganization", "", err)
	}
	if d.Organization == nil {
		return nil, r.fail("DescribeOrganization", "", errors.New("the answer holds no organization"))
	}
	org := &model.Organization{ID: sdkaws.ToString(d.Organization.Id), ManagementAccount: sdkaws.ToString(d.Organization.MasterAccountId),
		Paths: map[string][]*model.OrgLevel{}}
	// ListRoots' PolicyTypes say which policy types are enabled
	// (DescribeOrganization's AvailablePolicyTypes is deprecated for it).
	var root *orgtypes.Root
	for pg := organizations.NewListRootsPaginator(r.c, &organizations.ListRootsInput{}); pg.HasMorePages(); {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return nil, r.fail("ListRoots", "", err)
		}
		if len(out.Roots) > 0 && root == nil {
			root = &out.Roots[0]
		}
	}
	if root == nil {
		return nil, r.fail("ListRoots", "", errors.New("the organisation has no root"))
	}
	for _, t := range root.PolicyTypes {
		// A type being disabled (PENDING_DISABLE) was in force and is
		// evaluated until Organizations has removed it: its policies can
		// only have narrowed access, and AWS does not document when they
		// stop applying. One being enabled (PENDING_ENABLE) has no policy
		// attached yet but the default, which allows everything.
		if t.Status != orgtypes.PolicyTypeStatusEnabled && t.Status != orgtypes.PolicyTypeStatusPendingDisable {
			continue
		}
		switch t.Type {
		case orgtypes.PolicyTypeServiceControlPolicy:
			org.SCPs = true
		case orgtypes.PolicyTypeResourceControlPolicy:
			org.RCPs = true
		}
	}
	r.org, r.rootID, r.rootName = org, sdkaws.ToString(root.Id), sdkaws.ToString(root.Name)

	paths := make([][]*model.OrgLevel, len(accounts))
	errs := make([]error, len(accounts))
	sem := make(chan struct{}, orgReadWorkers)
	var wg sync.WaitGroup
	for i, id := range accounts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			paths[i], errs[i] = r.path(ctx, id)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for i, id := range accounts {
		if paths[i] != nil {
			org.Paths[id] = paths[i]
		}
	}
	return org, nil
}

// orgReader reads one organisation, each thing accounts share read once:
// each OU's parent, each level with its policies, each policy's document.
type orgReader struct {
	c                *organizations.Client
	via              *model.AccountConfig
	org              *model.Organization
	rootID, rootName string

	parents  memo[string]
	levels   memo[*model.OrgLevel]
	policies memo[model.OrgPolicy]
}

// memo runs a read once per key, however many workers ask for it at once.
type memo[V any] struct {
	mu sync.Mutex
	m  map[string]*memoEntry[V]
}

type memoEntry[V any] struct {
	once sync.Once
	v    V
	err  error
}

func (m *memo[V]) get(key string, read func() (V, error)) (V, error) {
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]*memoEntry[V]{}
	}
	e := m.m[key]
	if e == nil {
		e = &memoEntry[V]{}
		m.m[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.v, e.err = read() })
	return e.v, e.err
}

// path is the account's levels, root first and the account last; nil when
// the account is not in the organisation.
func (r *orgReader) path(ctx context.Context, account string) ([]*model.OrgLevel, error) {
	ids := []string{account} // from the account up
	for id := account; id != r.rootID; {
		parent, err := r.parents.get(id, func() (string, error) { return r.parent(ctx, id) })
		if err != nil {
			if id == account && notInOrganization(err) {
				return nil, nil
			}
			return nil, err
		}
		if len(ids) > 7 {
			return nil, r.fail("ListParents", account, errors.New("the path to the root is longer than AWS Organizations allows (five levels of OUs)"))
		}
		ids = append(ids, parent)
		id = parent
	}
	slices.Reverse(ids)
	path := make([]*model.OrgLevel, len(ids))
	for i, id := range ids {
		l, err := r.levels.get(id, func() (*model.OrgLevel, error) { return r.level(ctx, id, account) })
		if err != nil {
			return nil, err
		}
		path[i] = l
	}
	return path, nil
}

// notInOrganization reports whether ListParents refused an account because
// it is not in the organisation: ChildNotFoundException on AWS,
// AccountNotFoundException on moto.
func notInOrganization(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "ChildNotFoundException", "AccountNotFoundException":
		return true
	}
	return false
}

func (r *orgReader) parent(ctx context.Context, child string) (string, error) {
	for pg := organizations.NewListParentsPaginator(r.c, &organizations.ListParentsInput{ChildId: &child}); pg.HasMorePages(); {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return "", r.fail("ListParents", child, err)
		}
		// "A child can have only a single parent."
		if len(out.Parents) > 0 {
			return sdkaws.ToString(out.Parents[0].Id), nil
		}
	}
	return "", r.fail("ListParents", child, errors.New("no parent returned"))
}

// level reads one level and the policies attached to it.
func (r *orgReader) level(ctx context.Context, id, account string) (*model.OrgLevel, error) {
	l := &model.OrgLevel{ID: id}
	switch id {
	case r.rootID:
		l.Kind, l.Name = model.OrgRoot, r.rootName
	case account:
		l.Kind = model.OrgAccount
	default:
		out, err := r.c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: &id})
		if err != nil {
			return nil, r.fail("DescribeOrganizationalUnit", id, err)
		}
		if out.OrganizationalUnit == nil {
			return nil, r.fail("DescribeOrganizationalUnit", id, errors.New("the answer holds no organizational unit"))
		}
		l.Kind, l.Name = model.OrgUnit, sdkaws.ToString(out.OrganizationalUnit.Name)
	}
	var err error
	if r.org.SCPs {
		if l.SCPs, err = r.attached(ctx, id, orgtypes.PolicyTypeServiceControlPolicy); err != nil {
			return nil, err
		}
	}
	if r.org.RCPs {
		if l.RCPs, err = r.attached(ctx, id, orgtypes.PolicyTypeResourceControlPolicy); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// attached lists the policies of one type attached directly to a target,
// each document described once.
func (r *orgReader) attached(ctx context.Context, target string, typ orgtypes.PolicyType) ([]model.OrgPolicy, error) {
	out := []model.OrgPolicy{}
	for pg := organizations.NewListPoliciesForTargetPaginator(r.c, &organizations.ListPoliciesForTargetInput{TargetId: &target, Filter: typ}); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return nil, r.fail("ListPoliciesForTarget", target, err)
		}
		for _, sum := range page.Policies {
			pol, err := r.policy(ctx, sdkaws.ToString(sum.Id))
			if err != nil {
				return nil, err
			}
			out = append(out, pol)
		}
	}
	slices.SortFunc(out, func(a, b model.OrgPolicy) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (r *orgReader) policy(ctx context.Context, id string) (model.OrgPolicy, error) {
	return r.policies.get(id, func() (model.OrgPolicy, error) {
		out, err := r.c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &id})
		if err != nil {
			return model.OrgPolicy{}, r.fail("DescribePolicy", id, err)
		}
		if out.Policy == nil || out.Policy.PolicySummary == nil || out.Policy.Content == nil {
			return model.OrgPolicy{}, r.fail("DescribePolicy", id, errors.New("the answer holds no policy document"))
		}
		return model.OrgPolicy{ID: id, Name: sdkaws.ToString(out.Policy.PolicySummary.Name), Document: sdkaws.ToString(out.Policy.Content)}, nil
	})
}

func (r *orgReader) fail(op, subject string, err error) error {
	return &orgError{op: op, subject: subject, via: r.via, err: err}
}

// orgError is a failed AWS Organizations call: the call, what it asked
// about, the account it was made in, and what to do when it was refused.
type orgError struct {
	op, subject string
	via         *model.AccountConfig
	err         error
}

func (e *orgError) Error() string {
	msg := fmt.Sprintf("aws target: organizations:%s", e.op)
	if e.subject != "" {
		msg += " of " + e.subject
	}
	msg += fmt.Sprintf(" in account %s: %s", accountLabel(e.via), errorText(e.err))
	var api smithy.APIError
	if errors.As(e.err, &api) {
		switch api.ErrorCode() {
		case "AccessDeniedException", "AccessDenied":
			msg += fmt.Sprintf("; the organization block's account must be the organisation's management account or a delegated administrator for AWS Organizations, and its identity needs %v", OrganizationReadPermissions)
		case "AWSOrganizationsNotInUseException":
			msg += "; the account is in no organisation: name the organisation's management account (or a delegated administrator) in the organization block, or remove the block"
		}
	}
	return msg
}

func (e *orgError) Unwrap() error { return e.err }
