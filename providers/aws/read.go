package aws

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// readAPI is the part of the IAM API that Read uses. *iam.Client has it;
// tests substitute pages of their own.
type readAPI interface {
	iam.GetAccountAuthorizationDetailsAPIClient
	iam.ListRolesAPIClient
	GetRole(context.Context, *iam.GetRoleInput, ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	GetPolicyVersion(context.Context, *iam.GetPolicyVersionInput, ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error)
}

// Page sizes: IAM's maximum for both operations. AWS answers 100 items a
// page when not asked for more, and may still answer fewer; the paginators
// follow IsTruncated and Marker either way.
const (
	gaadPageSize      = 1000
	listRolesPageSize = 1000
)

// Read returns the account's roles, customer-managed policies, groups and
// users with their policies, attachments, memberships and tags. Ownership
// flags are left unset: ownership.MarkOwnership decides them.
func (p *Provider) Read(ctx context.Context, account *model.AccountConfig) (*model.Account, error) {
	s, err := p.session(ctx, account)
	if err != nil {
		return nil, err
	}
	// Reading another account than the one declared would make a plan for
	// the wrong account; refuse when Identity already showed it (no call is
	// made here for it).
	s.mu.Lock()
	ident := s.ident
	s.mu.Unlock()
	if ident != nil && ident.Account != account.ID {
		return nil, fmt.Errorf("aws target: the credentials for account %s act in account %s (as %s)", accountLabel(account), ident.Account, ident.ARN)
	}
	return readAccount(ctx, s.iam, account)
}

// DetailRoles implements engine.RoleDetailer: it reads the description and
// maximum session duration of the named roles (GetRole each, or ListRoles
// when that costs fewer calls).
func (p *Provider) DetailRoles(ctx context.Context, account *model.AccountConfig, read *model.Account, names []string) error {
	s, err := p.session(ctx, account)
	if err != nil {
		return err
	}
	return completeRoles(ctx, s.iam, read, names)
}

func readAccount(ctx context.Context, api readAPI, account *model.AccountConfig) (*model.Account, error) {
	out := model.NewAccount(account.ID, account.Partition)
	in := accountLabel(account)
	var tagged []string // roles that may be a stack's: their description and session need a call
	pages := iam.NewGetAccountAuthorizationDetailsPaginator(api, &iam.GetAccountAuthorizationDetailsInput{
		Filter: []types.EntityType{types.EntityTypeRole, types.EntityTypeLocalManagedPolicy, types.EntityTypeGroup, types.EntityTypeUser},
	}, func(o *iam.GetAccountAuthorizationDetailsPaginatorOptions) { o.Limit = gaadPageSize })
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, &Error{Op: "iam:GetAccountAuthorizationDetails", Subject: "in account " + in, Err: err}
		}
		for _, d := range page.RoleDetailList {
			r, err := roleFromDetail(d)
			if err != nil {
				return nil, fmt.Errorf("aws target: account %s: %w", in, err)
			}
			out.Roles[model.NameKey(r.Name)] = r
			if _, ok := r.Tags[ownership.OwnerTagKey]; ok {
				tagged = append(tagged, r.Name)
			}
		}
		for _, d := range page.Policies {
			pol, err := policyFromDetail(ctx, api, d)
			if err != nil {
				return nil, fmt.Errorf("aws target: account %s: %w", in, err)
			}
			out.Policies[model.NameKey(pol.Name)] = pol
		}
		for _, d := range page.GroupDetailList {
			g, err := groupFromDetail(d)
			if err != nil {
				return nil, fmt.Errorf("aws target: account %s: %w", in, err)
			}
			out.Groups[model.NameKey(g.Name)] = g
		}
		for _, d := range page.UserDetailList {
			u, err := userFromDetail(d)
			if err != nil {
				return nil, fmt.Errorf("aws target: account %s: %w", in, err)
			}
			out.Users[model.NameKey(u.Name)] = u
		}
	}
	if err := completeRoles(ctx, api, out, tagged); err != nil {
		return nil, err
	}
	return out, nil
}

func roleFromDetail(d types.RoleDetail) (*model.Role, error) {
	name := sdkaws.ToString(d.RoleName)
	trust, err := decodeDocument(sdkaws.ToString(d.AssumeRolePolicyDocument))
	if err != nil {
		return nil, fmt.Errorf("role %q: trust policy: %w", name, err)
	}
	inline, err := inlinePolicies(d.RolePolicyList)
	if err != nil {
		return nil, fmt.Errorf("role %q: %w", name, err)
	}
	// GetAccountAuthorizationDetails has no Description or
	// MaxSessionDuration for roles (on AWS as on moto); completeRoles fills
	// them in where a plan compares them.
	return &model.Role{
		Name:                name,
		Path:                pathOr(d.Path),
		TrustPolicy:         trust,
		PermissionsBoundary: boundaryARN(d.PermissionsBoundary),
		Tags:                tagMap(d.Tags),
		AttachedPolicies:    attachedARNs(d.AttachedManagedPolicies),
		InlinePolicies:      inline,
	}, nil
}

// boundaryARN is the policy of a permissions boundary as RoleDetail and
// UserDetail carry it ("" for none): no call beyond the account read.
func boundaryARN(b *types.AttachedPermissionsBoundary) string {
	if b == nil {
		return ""
	}
	return sdkaws.ToString(b.PermissionsBoundaryArn)
}

func groupFromDetail(d types.GroupDetail) (*model.Group, error) {
	name := sdkaws.ToString(d.GroupName)
	inline, err := inlinePolicies(d.GroupPolicyList)
	if err != nil {
		return nil, fmt.Errorf("group %q: %w", name, err)
	}
	return &model.Group{
		Name:             name,
		Path:             pathOr(d.Path),
		AttachedPolicies: attachedARNs(d.AttachedManagedPolicies),
		InlinePolicies:   inline,
	}, nil
}

func userFromDetail(d types.UserDetail) (*model.User, error) {
	name := sdkaws.ToString(d.UserName)
	inline, err := inlinePolicies(d.UserPolicyList)
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", name, err)
	}
	var groups []string
	if len(d.GroupList) > 0 {
		groups = slices.Sorted(slices.Values(d.GroupList))
	}
	return &model.User{
		Name:                name,
		Path:                pathOr(d.Path),
		Tags:                tagMap(d.Tags),
		PermissionsBoundary: boundaryARN(d.PermissionsBoundary),
		Groups:              groups,
		AttachedPolicies:    attachedARNs(d.AttachedManagedPolicies),
		InlinePolicies:      inline,
	}, nil
}

// policyFromDetail reads a customer-managed policy and its default version.
// GetAccountAuthorizationDetails lists every version with its document; the
// fallback call is for a default version missing from that list, which IAM
// is not known to do. GAAD has no tags for policies, and the engine does not
// compare them, so Tags stays nil ("not read") rather than cost a
// ListPolicyTags per policy.
func policyFromDetail(ctx context.Context, api readAPI, d types.ManagedPolicyDetail) (*model.ManagedPolicy, error) {
	name := sdkaws.ToString(d.PolicyName)
	if name == "" {
		// moto leaves PolicyName out of GetAccountAuthorizationDetails; the
		// ARN ends with it (arn:aws:iam::<id>:policy<path><name>).
		a, _ := model.ParseARN(sdkaws.ToString(d.Arn))
		_, name, _ = model.IAMPath(a.Resource, "policy")
	}
	var raw *string
	for _, v := range d.PolicyVersionList {
		if v.IsDefaultVersion || (d.DefaultVersionId != nil && sdkaws.ToString(v.VersionId) == *d.DefaultVersionId) {
			raw = v.Document
			break
		}
	}
	if raw == nil {
		out, err := api.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: d.Arn, VersionId: d.DefaultVersionId})
		if err != nil {
			return nil, &Error{Op: "iam:GetPolicyVersion", Subject: fmt.Sprintf("managed policy %q", name), Err: err}
		}
		if out.PolicyVersion != nil {
			raw = out.PolicyVersion.Document
		}
	}
	doc, err := decodeDocument(sdkaws.ToString(raw))
	if err != nil {
		return nil, fmt.Errorf("managed policy %q: %w", name, err)
	}
	return &model.ManagedPolicy{
		Name:        name,
		Path:        pathOr(d.Path),
		Description: sdkaws.ToString(d.Description),
		Document:    doc,
	}, nil
}

// completeRoles fills in the description and maximum session duration of
// the roles named in tagged (roles carrying the trustform:stack tag, the only
// ones a plan compares them on), with whichever costs fewer calls: one
// GetRole per role, or ListRoles, which returns both attributes for up to
// 1,000 roles a page. Other roles keep an empty description and a zero
// maximum session duration, meaning "not read".
func completeRoles(ctx context.Context, api readAPI, a *model.Account, tagged []string) error {
	if len(tagged) == 0 {
		return nil
	}
	in := a.ID
	done := map[string]bool{}
	isTagged := map[string]bool{}
	for _, name := range tagged {
		isTagged[model.NameKey(name)] = true
	}
	if pages := (len(a.Roles) + listRolesPageSize - 1) / listRolesPageSize; len(tagged) > pages {
		lister := iam.NewListRolesPaginator(api, &iam.ListRolesInput{}, func(o *iam.ListRolesPaginatorOptions) { o.Limit = listRolesPageSize })
		for lister.HasMorePages() {
			page, err := lister.NextPage(ctx)
			if err != nil {
				return &Error{Op: "iam:ListRoles", Subject: "in account " + in, Err: err}
			}
			for _, r := range page.Roles {
				key := model.NameKey(sdkaws.ToString(r.RoleName))
				// Only tagged roles are completed, whichever call is used, so
				// what Read returns for a role never depends on its neighbours.
				if role := a.Roles[key]; role != nil && isTagged[key] {
					role.Description = sdkaws.ToString(r.Description)
					role.MaxSessionDuration = int(sdkaws.ToInt32(r.MaxSessionDuration))
					done[key] = true
				}
			}
		}
	}
	for _, name := range tagged {
		key := model.NameKey(name)
		if done[key] {
			continue
		}
		out, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: sdkaws.String(name)})
		switch {
		case errorCode(err) == "NoSuchEntity":
			// Deleted since GetAccountAuthorizationDetails listed it.
			delete(a.Roles, key)
			continue
		case err != nil:
			return &Error{Op: "iam:GetRole", Subject: fmt.Sprintf("role %q in account %s", name, in), Err: err}
		}
		a.Roles[key].Description = sdkaws.ToString(out.Role.Description)
		a.Roles[key].MaxSessionDuration = int(sdkaws.ToInt32(out.Role.MaxSessionDuration))
	}
	return nil
}

// decodeDocument returns a policy document as JSON. IAM's read APIs return
// documents URL-encoded (RFC 3986); moto returns some of them as plain JSON
// (GetPolicyVersion, and the trust policies of GetAccountAuthorizationDetails
// and ListRoles), so the format is recognised rather than assumed: a JSON
// document starts with "{", an encoded one with "%7B".
//
// PathUnescape, not QueryUnescape: RFC 3986 encoding writes a space as %20,
// and a "+" left unencoded is a plus sign (IAM names and ARNs may contain
// one), not a space. This is what botocore does too (urllib's unquote).
func decodeDocument(text string) (string, error) {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" || strings.HasPrefix(trimmed, "{") {
		return text, nil
	}
	dec, err := url.PathUnescape(trimmed)
	if err != nil {
		return "", fmt.Errorf("policy document is neither JSON nor URL-encoded JSON: %v", err)
	}
	return dec, nil
}

func inlinePolicies(list []types.PolicyDetail) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(list))
	for _, p := range list {
		name := sdkaws.ToString(p.PolicyName)
		doc, err := decodeDocument(sdkaws.ToString(p.PolicyDocument))
		if err != nil {
			return nil, fmt.Errorf("inline policy %q: %w", name, err)
		}
		out[name] = doc
	}
	return out, nil
}

func attachedARNs(list []types.AttachedPolicy) []string {
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, sdkaws.ToString(a.PolicyArn))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func tagMap(tags []types.Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		out[sdkaws.ToString(t.Key)] = sdkaws.ToString(t.Value)
	}
	return out
}

func pathOr(p *string) string {
	if p == nil || *p == "" {
		return "/"
	}
	return *p
}
