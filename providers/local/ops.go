package local

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/policy"
)

// The IAM operations of the simulation, one method per IAM API call (or per
// small group of calls that always travel together). Each validates
// everything before it changes anything, in the spirit of IAM's own
// request validation; Provider.Apply additionally runs them on a copy of the
// state so that a change made of several calls is all-or-nothing.

// ---- roles ----

func (s *sim) createRole(a *simAccount, r *model.Role) error {
	const op = "CreateRole"
	if err := validateName(op, "roleName", r.Name, maxRoleNameLen); err != nil {
		return err
	}
	path := pathOr(r.Path)
	if err := validatePath(op, path); err != nil {
		return err
	}
	if err := validateRoleDescription(op, r.Description); err != nil {
		return err
	}
	session := model.MaxSessionOr(r.MaxSessionDuration)
	if err := validateMaxSession(op, session); err != nil {
		return err
	}
	if err := validateTags(op, r.Tags); err != nil {
		return err
	}
	if err := s.validateTrust(op, a, r.TrustPolicy); err != nil {
		return err
	}
	boundary, err := s.boundaryARN(op, a, r.PermissionsBoundary)
	if err != nil {
		return err
	}
	if existing, ok := a.roles[model.NameKey(r.Name)]; ok {
		return apiErr(op, CodeEntityAlreadyExists, "a role named %s already exists (as %s; IAM role names are case-insensitive)", r.Name, existing.Name)
	}
	a.roles[model.NameKey(r.Name)] = &simRole{
		Role: model.Role{
			Name:                r.Name,
			Path:                path,
			Description:         r.Description,
			TrustPolicy:         r.TrustPolicy,
			MaxSessionDuration:  session,
			PermissionsBoundary: boundary,
			Tags:                mapOrNil(maps.Clone(r.Tags)),
		},
		uniqueID: a.newUniqueID("AROA", "role", r.Name),
	}
	return nil
}

func (s *sim) validateTrust(op string, a *simAccount, text string) error {
	doc, err := validateTrustShape(op, text, a.partition)
	if err != nil {
		return err
	}
	if err := checkSize(op, "the trust policy", text, maxTrustPolicySize, "ACLSizePerRole"); err != nil {
		return err
	}
	return s.checkTrustPrincipals(op, doc, a.partition)
}

func (s *sim) role(op string, a *simAccount, name string) (*simRole, error) {
	r, ok := a.roles[model.NameKey(name)]
	if !ok {
		return nil, apiErr(op, CodeNoSuchEntity, "the role with name %s cannot be found in account %s", name, a.id)
	}
	return r, nil
}

// updateRole carries out whatever differs between before and after:
// UpdateRole (description, maximum session), UpdateAssumeRolePolicy (trust)
// and TagRole/UntagRole. Name and path cannot change in IAM.
func (s *sim) updateRole(a *simAccount, before, after *model.Role) error {
	r, err := s.role("UpdateRole", a, after.Name)
	if err != nil {
		return err
	}
	if model.NameKey(before.Name) != model.NameKey(after.Name) {
		return apiErr("UpdateRole", CodeReplacementRequired, "IAM cannot rename role %s to %s; delete and re-create it", before.Name, after.Name)
	}
	if pathOr(before.Path) != pathOr(after.Path) {
		return apiErr("UpdateRole", CodeReplacementRequired, "IAM cannot change the path of role %s (%s to %s); delete and re-create it",
			after.Name, pathOr(before.Path), pathOr(after.Path))
	}
	if before.Description != after.Description || model.MaxSessionOr(before.MaxSessionDuration) != model.MaxSessionOr(after.MaxSessionDuration) {
		const op = "UpdateRole"
		if err := validateRoleDescription(op, after.Description); err != nil {
			return err
		}
		if err := validateMaxSession(op, model.MaxSessionOr(after.MaxSessionDuration)); err != nil {
			return err
		}
		r.Description, r.MaxSessionDuration = after.Description, model.MaxSessionOr(after.MaxSessionDuration)
	}
	if !policy.Equivalent(before.TrustPolicy, after.TrustPolicy) {
		if err := s.validateTrust("UpdateAssumeRolePolicy", a, after.TrustPolicy); err != nil {
			return err
		}
		r.TrustPolicy = after.TrustPolicy
	}
	if before.PermissionsBoundary != after.PermissionsBoundary {
		if r.PermissionsBoundary, err = s.boundaryARN(boundaryOp("Role", after.PermissionsBoundary), a, after.PermissionsBoundary); err != nil {
			return err
		}
	}
	r.Tags, err = retag("TagRole", r.Tags, before.Tags, after.Tags)
	return err
}

func (s *sim) deleteRole(a *simAccount, name string) error {
	const op = "DeleteRole"
	r, err := s.role(op, a, name)
	if err != nil {
		return err
	}
	if len(r.InlinePolicies) > 0 {
		return apiErr(op, CodeDeleteConflict, "cannot delete role %s: it still has inline policies (delete them first)", r.Name)
	}
	if len(r.AttachedPolicies) > 0 {
		return apiErr(op, CodeDeleteConflict, "cannot delete role %s: it still has attached managed policies (detach them first)", r.Name)
	}
	delete(a.roles, model.NameKey(name))
	s.forgetPrincipal(a.id, "role", r.Path, r.Name, r.uniqueID)
	return nil
}

// ---- customer-managed policies ----

func (s *sim) createPolicy(a *simAccount, p *model.ManagedPolicy) error {
	const op = "CreatePolicy"
	if err := validateName(op, "policyName", p.Name, maxPolicyNameLen); err != nil {
		return err
	}
	path := pathOr(p.Path)
	if err := validatePath(op, path); err != nil {
		return err
	}
	if err := validatePolicyDescription(op, p.Description); err != nil {
		return err
	}
	if err := validateTags(op, p.Tags); err != nil {
		return err
	}
	if err := validateManagedDocument(op, p.Document); err != nil {
		return err
	}
	if existing, ok := a.policies[model.NameKey(p.Name)]; ok {
		return apiErr(op, CodeEntityAlreadyExists, "a policy named %s already exists (as %s; IAM policy names are case-insensitive)", p.Name, existing.name)
	}
	a.policies[model.NameKey(p.Name)] = &simPolicy{
		name:        p.Name,
		path:        path,
		description: p.Description,
		tags:        mapOrNil(maps.Clone(p.Tags)),
		versions:    []policyVersion{{id: "v1", document: p.Document, isDefault: true}},
		nextVersion: 2,
	}
	return nil
}

func validateManagedDocument(op, text string) error {
	if err := validateIdentityDocument(op, text); err != nil {
		return err
	}
	return checkSize(op, "the policy", text, maxManagedSize, "PolicySize")
}

func (s *sim) policy(op string, a *simAccount, name string) (*simPolicy, error) {
	p, ok := a.policies[model.NameKey(name)]
	if !ok {
		return nil, apiErr(op, CodeNoSuchEntity, "policy %s does not exist in account %s", name, a.id)
	}
	return p, nil
}

// createPolicyVersion is IAM's CreatePolicyVersion, including its refusal of
// a sixth version.
func (s *sim) createPolicyVersion(a *simAccount, name, document string, setDefault bool) error {
	const op = "CreatePolicyVersion"
	p, err := s.policy(op, a, name)
	if err != nil {
		return err
	}
	if err := validateManagedDocument(op, document); err != nil {
		return err
	}
	if len(p.versions) >= maxPolicyVersions {
		return apiErr(op, CodeLimitExceeded, "policy %s already has %d versions, the most IAM keeps; delete one before creating another", p.name, maxPolicyVersions)
	}
	if setDefault {
		for i := range p.versions {
			p.versions[i].isDefault = false
		}
	}
	p.versions = append(p.versions, policyVersion{id: "v" + strconv.Itoa(p.nextVersion), document: document, isDefault: setDefault})
	p.nextVersion++
	return nil
}

func (s *sim) deletePolicyVersion(a *simAccount, name, id string) error {
	const op = "DeletePolicyVersion"
	p, err := s.policy(op, a, name)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(p.versions, func(v policyVersion) bool { return v.id == id })
	switch {
	case i < 0:
		return apiErr(op, CodeNoSuchEntity, "policy %s has no version %s", p.name, id)
	case p.versions[i].isDefault:
		return apiErr(op, CodeDeleteConflict, "cannot delete version %s of policy %s: it is the default version", id, p.name)
	}
	p.versions = slices.Delete(p.versions, i, i+1)
	return nil
}

// updatePolicy: a new document becomes a new default version, after the
// oldest non-default version is deleted if the policy already has five (what
// every IAM client must do); tags change with TagPolicy/UntagPolicy.
func (s *sim) updatePolicy(a *simAccount, before, after *model.ManagedPolicy) error {
	p, err := s.policy("CreatePolicyVersion", a, after.Name)
	if err != nil {
		return err
	}
	switch {
	case model.NameKey(before.Name) != model.NameKey(after.Name):
		return apiErr("CreatePolicyVersion", CodeReplacementRequired, "IAM cannot rename policy %s to %s; delete and re-create it", before.Name, after.Name)
	case pathOr(before.Path) != pathOr(after.Path):
		return apiErr("CreatePolicyVersion", CodeReplacementRequired, "IAM cannot change the path of policy %s; delete and re-create it", after.Name)
	case before.Description != after.Description:
		return apiErr("CreatePolicyVersion", CodeReplacementRequired, "IAM cannot change the description of policy %s; delete and re-create it", after.Name)
	}
	if before.Document != after.Document {
		// Validate first so that a bad document does not cost a version.
		if err := validateManagedDocument("CreatePolicyVersion", after.Document); err != nil {
			return err
		}
		if len(p.versions) >= maxPolicyVersions {
			for _, v := range p.versions {
				if !v.isDefault {
					if err := s.deletePolicyVersion(a, p.name, v.id); err != nil {
						return err
					}
					break
				}
			}
		}
		if err := s.createPolicyVersion(a, p.name, after.Document, true); err != nil {
			return err
		}
	}
	p.tags, err = retag("TagPolicy", p.tags, before.Tags, after.Tags)
	return err
}

// deletePolicy deletes the non-default versions and then the policy, as IAM
// requires; a policy still attached anywhere is refused before anything is
// deleted.
func (s *sim) deletePolicy(a *simAccount, name string) error {
	const op = "DeletePolicy"
	p, err := s.policy(op, a, name)
	if err != nil {
		return err
	}
	arn := model.PolicyARN(a.partition, a.id, p.path, p.name)
	if users := a.attachedTo(arn); len(users) > 0 {
		return apiErr(op, CodeDeleteConflict, "cannot delete policy %s: it is attached to %s (detach it first)", p.name, strings.Join(users, ", "))
	}
	// DeletePolicy's reference lists detaching as the step before deleting
	// and is silent on a policy in use as a permissions boundary (IAM counts
	// those uses apart, as PermissionsBoundaryUsageCount). The simulation
	// refuses, the stricter reading; the planner's order removes a boundary
	// before it deletes the policy, so it never depends on which is right.
	if users := a.boundaryOf(arn); len(users) > 0 {
		return apiErr(op, CodeDeleteConflict, "cannot delete policy %s: it is the permissions boundary of %s (remove the boundary first)", p.name, strings.Join(users, ", "))
	}
	for _, v := range slices.Clone(p.versions) {
		if !v.isDefault {
			if err := s.deletePolicyVersion(a, p.name, v.id); err != nil {
				return err
			}
		}
	}
	delete(a.policies, model.NameKey(name))
	return nil
}

// boundaryOf lists the principals whose permissions boundary a policy is.
func (a *simAccount) boundaryOf(arn string) []string {
	var out []string
	for _, r := range a.roles {
		if r.PermissionsBoundary == arn {
			out = append(out, "role "+r.Name)
		}
	}
	for _, u := range a.users {
		if u.PermissionsBoundary == arn {
			out = append(out, "user "+u.Name)
		}
	}
	return sortedStrings(out)
}

// boundaryARN checks a permissions boundary as PutRolePermissionsBoundary
// and PutUserPermissionsBoundary do (and CreateRole/CreateUser with one): a
// managed policy that exists, customer managed in the account or AWS
// managed. "" is no boundary.
func (s *sim) boundaryARN(op string, a *simAccount, arn string) (string, error) {
	if arn == "" {
		return "", nil
	}
	resolved, ok := a.resolvePolicyARN(arn)
	if !ok {
		return "", apiErr(op, CodeNoSuchEntity, "permissions boundary policy %s does not exist in account %s%s", arn, a.id, managedHint(arn))
	}
	return resolved, nil
}

// boundaryOp names the call that sets or removes a boundary.
func boundaryOp(kind, arn string) string {
	if arn == "" {
		return "Delete" + kind + "PermissionsBoundary"
	}
	return "Put" + kind + "PermissionsBoundary"
}

// attachedTo lists the principals a managed policy is attached to.
func (a *simAccount) attachedTo(arn string) []string {
	var out []string
	for _, r := range a.roles {
		if slices.Contains(r.AttachedPolicies, arn) {
			out = append(out, "role "+r.Name)
		}
	}
	for _, g := range a.groups {
		if slices.Contains(g.AttachedPolicies, arn) {
			out = append(out, "group "+g.Name)
		}
	}
	for _, u := range a.users {
		if slices.Contains(u.AttachedPolicies, arn) {
			out = append(out, "user "+u.Name)
		}
	}
	return sortedStrings(out)
}

// ---- groups ----

func (s *sim) createGroup(a *simAccount, g *model.Group) error {
	const op = "CreateGroup"
	if err := validateName(op, "groupName", g.Name, maxGroupNameLen); err != nil {
		return err
	}
	path := pathOr(g.Path)
	if err := validatePath(op, path); err != nil {
		return err
	}
	if existing, ok := a.groups[model.NameKey(g.Name)]; ok {
		return apiErr(op, CodeEntityAlreadyExists, "a group named %s already exists (as %s; IAM group names are case-insensitive)", g.Name, existing.Name)
	}
	a.groups[model.NameKey(g.Name)] = &model.Group{Name: g.Name, Path: path}
	return nil
}

func (s *sim) group(op string, a *simAccount, name string) (*model.Group, error) {
	g, ok := a.groups[model.NameKey(name)]
	if !ok {
		return nil, apiErr(op, CodeNoSuchEntity, "the group with name %s cannot be found in account %s", name, a.id)
	}
	return g, nil
}

// updateGroup is UpdateGroup with a new path (which is how a group's
// ownership is recorded, so it can legitimately change).
func (s *sim) updateGroup(a *simAccount, before, after *model.Group) error {
	const op = "UpdateGroup"
	g, err := s.group(op, a, after.Name)
	if err != nil {
		return err
	}
	if model.NameKey(before.Name) != model.NameKey(after.Name) {
		return apiErr(op, CodeReplacementRequired, "renaming group %s to %s is not supported; delete and re-create it", before.Name, after.Name)
	}
	if pathOr(before.Path) != pathOr(after.Path) {
		if err := validatePath(op, pathOr(after.Path)); err != nil {
			return err
		}
		g.Path = pathOr(after.Path)
	}
	return nil
}

func (s *sim) deleteGroup(a *simAccount, name string) error {
	const op = "DeleteGroup"
	g, err := s.group(op, a, name)
	if err != nil {
		return err
	}
	var members []string
	for _, u := range a.users {
		if slices.ContainsFunc(u.Groups, func(n string) bool { return model.NameKey(n) == model.NameKey(g.Name) }) {
			members = append(members, u.Name)
		}
	}
	switch {
	case len(members) > 0:
		return apiErr(op, CodeDeleteConflict, "cannot delete group %s: it still has members (%s); remove them first", g.Name, strings.Join(sortedStrings(members), ", "))
	case len(g.InlinePolicies) > 0:
		return apiErr(op, CodeDeleteConflict, "cannot delete group %s: it still has inline policies (delete them first)", g.Name)
	case len(g.AttachedPolicies) > 0:
		return apiErr(op, CodeDeleteConflict, "cannot delete group %s: it still has attached managed policies (detach them first)", g.Name)
	}
	delete(a.groups, model.NameKey(name))
	return nil
}

// ---- users ----

func (s *sim) createUser(a *simAccount, u *model.User) error {
	const op = "CreateUser"
	if err := validateName(op, "userName", u.Name, maxUserNameLen); err != nil {
		return err
	}
	path := pathOr(u.Path)
	if err := validatePath(op, path); err != nil {
		return err
	}
	if err := validateTags(op, u.Tags); err != nil {
		return err
	}
	boundary, err := s.boundaryARN(op, a, u.PermissionsBoundary)
	if err != nil {
		return err
	}
	if existing, ok := a.users[model.NameKey(u.Name)]; ok {
		return apiErr(op, CodeEntityAlreadyExists, "a user named %s already exists (as %s; IAM user names are case-insensitive)", u.Name, existing.Name)
	}
	a.users[model.NameKey(u.Name)] = &simUser{
		User:     model.User{Name: u.Name, Path: path, PermissionsBoundary: boundary, Tags: mapOrNil(maps.Clone(u.Tags))},
		uniqueID: a.newUniqueID("AIDA", "user", u.Name),
	}
	return nil
}

func (s *sim) user(op string, a *simAccount, name string) (*simUser, error) {
	u, ok := a.users[model.NameKey(name)]
	if !ok {
		return nil, apiErr(op, CodeNoSuchEntity, "the user with name %s cannot be found in account %s", name, a.id)
	}
	return u, nil
}

// updateUser is UpdateUser (new path) and TagUser/UntagUser.
func (s *sim) updateUser(a *simAccount, before, after *model.User) error {
	u, err := s.user("UpdateUser", a, after.Name)
	if err != nil {
		return err
	}
	if model.NameKey(before.Name) != model.NameKey(after.Name) {
		return apiErr("UpdateUser", CodeReplacementRequired, "renaming user %s to %s is not supported; delete and re-create it", before.Name, after.Name)
	}
	if pathOr(before.Path) != pathOr(after.Path) {
		if err := validatePath("UpdateUser", pathOr(after.Path)); err != nil {
			return err
		}
		u.Path = pathOr(after.Path)
	}
	if before.PermissionsBoundary != after.PermissionsBoundary {
		if u.PermissionsBoundary, err = s.boundaryARN(boundaryOp("User", after.PermissionsBoundary), a, after.PermissionsBoundary); err != nil {
			return err
		}
	}
	u.Tags, err = retag("TagUser", u.Tags, before.Tags, after.Tags)
	return err
}

func (s *sim) deleteUser(a *simAccount, name string) error {
	const op = "DeleteUser"
	u, err := s.user(op, a, name)
	if err != nil {
		return err
	}
	switch {
	case len(u.Groups) > 0:
		return apiErr(op, CodeDeleteConflict, "cannot delete user %s: it is still a member of %s (remove it first)", u.Name, strings.Join(u.Groups, ", "))
	case len(u.InlinePolicies) > 0:
		return apiErr(op, CodeDeleteConflict, "cannot delete user %s: it still has inline policies (delete them first)", u.Name)
	case len(u.AttachedPolicies) > 0:
		return apiErr(op, CodeDeleteConflict, "cannot delete user %s: it still has attached managed policies (detach them first)", u.Name)
	}
	delete(a.users, model.NameKey(name))
	s.forgetPrincipal(a.id, "user", u.Path, u.Name, u.uniqueID)
	return nil
}

// ---- what hangs off a principal: inline policies and attachments ----

// principalSlot gives uniform access to the policies of a role, group or
// user, with the IAM names and quotas that differ between them.
type principalSlot struct {
	kind        string // "Role", "Group", "User": as in PutRolePolicy
	name        string
	attached    *[]string
	inline      *map[string]string
	inlineLimit int
	inlineQuota string
}

func (s *sim) principal(op string, a *simAccount, kind model.Kind, name string) (principalSlot, error) {
	switch kind {
	case model.KindRole:
		r, err := s.role(op, a, name)
		if err != nil {
			return principalSlot{}, err
		}
		return principalSlot{"Role", r.Name, &r.AttachedPolicies, &r.InlinePolicies, maxRoleInlineSize, "RolePolicySizeQuota"}, nil
	case model.KindGroup:
		g, err := s.group(op, a, name)
		if err != nil {
			return principalSlot{}, err
		}
		return principalSlot{"Group", g.Name, &g.AttachedPolicies, &g.InlinePolicies, maxGroupInlineSize, "GroupPolicySizeQuota"}, nil
	case model.KindUser:
		u, err := s.user(op, a, name)
		if err != nil {
			return principalSlot{}, err
		}
		return principalSlot{"User", u.Name, &u.AttachedPolicies, &u.InlinePolicies, maxUserInlineSize, "UserPolicySizeQuota"}, nil
	}
	return principalSlot{}, apiErr(op, CodeInvalidInput, "policies can only be put on roles, groups and users, not on a %q", kind)
}

// opName builds the IAM operation name for a principal kind, e.g.
// opName("Put", KindRole, "Policy") = "PutRolePolicy".
func opName(verb string, kind model.Kind, suffix string) string {
	k := string(kind)
	if k != "" {
		k = strings.ToUpper(k[:1]) + k[1:]
	}
	return verb + k + suffix
}

// putInline is PutRolePolicy / PutGroupPolicy / PutUserPolicy.
func (s *sim) putInline(a *simAccount, ip *model.InlinePolicy) error {
	op := opName("Put", ip.PrincipalKind, "Policy")
	if err := validateName(op, "policyName", ip.Name, maxPolicyNameLen); err != nil {
		return err
	}
	if err := validateIdentityDocument(op, ip.Document); err != nil {
		return err
	}
	p, err := s.principal(op, a, ip.PrincipalKind, ip.PrincipalName)
	if err != nil {
		return err
	}
	// The quota is on the sum of all inline policies of the principal, with
	// this one replacing any earlier document of the same name.
	total := policy.Size(ip.Document)
	for name, doc := range *p.inline {
		if name != ip.Name {
			total += policy.Size(doc)
		}
	}
	if total > p.inlineLimit {
		return apiErr(op, CodeLimitExceeded, "the inline policies of %s %s would total %d characters without whitespace; the %s is %d",
			strings.ToLower(p.kind), p.name, total, p.inlineQuota, p.inlineLimit)
	}
	if *p.inline == nil {
		*p.inline = map[string]string{}
	}
	(*p.inline)[ip.Name] = ip.Document
	return nil
}

// deleteInline is DeleteRolePolicy / DeleteGroupPolicy / DeleteUserPolicy.
// Inline policy names are case-sensitive within a principal.
func (s *sim) deleteInline(a *simAccount, ip *model.InlinePolicy) error {
	op := opName("Delete", ip.PrincipalKind, "Policy")
	p, err := s.principal(op, a, ip.PrincipalKind, ip.PrincipalName)
	if err != nil {
		return err
	}
	if _, ok := (*p.inline)[ip.Name]; !ok {
		return apiErr(op, CodeNoSuchEntity, "%s %s has no inline policy named %s", strings.ToLower(p.kind), p.name, ip.Name)
	}
	delete(*p.inline, ip.Name)
	if len(*p.inline) == 0 {
		*p.inline = nil
	}
	return nil
}

// resolvePolicyARN returns the ARN under which IAM records an attachment of
// arn: the built-in AWS managed policy, or the customer policy of this
// account (names resolved without regard to case, as IAM does).
func (a *simAccount) resolvePolicyARN(arn string) (string, bool) {
	parsed, err := model.ParseARN(arn)
	if _, ok := AWSManagedPolicy(arn); ok {
		return arn, parsed.Partition == a.partition
	}
	if err != nil || parsed.Partition != a.partition || parsed.Service != "iam" || parsed.Region != "" || parsed.Account != a.id {
		return "", false
	}
	path, name, ok := model.IAMPath(parsed.Resource, "policy")
	if !ok {
		return "", false
	}
	p, ok := a.policies[model.NameKey(name)]
	if !ok || p.path != path {
		return "", false
	}
	return model.PolicyARN(a.partition, a.id, p.path, p.name), true
}

// attach is AttachRolePolicy / AttachGroupPolicy / AttachUserPolicy.
// Attaching what is already attached succeeds and changes nothing, as in IAM.
func (s *sim) attach(a *simAccount, at *model.Attachment) error {
	op := opName("Attach", at.PrincipalKind, "Policy")
	p, err := s.principal(op, a, at.PrincipalKind, at.PrincipalName)
	if err != nil {
		return err
	}
	arn, ok := a.resolvePolicyARN(at.PolicyARN)
	if !ok {
		return apiErr(op, CodeNoSuchEntity, "policy %s does not exist or is not attachable in account %s%s", at.PolicyARN, a.id, managedHint(at.PolicyARN))
	}
	if slices.Contains(*p.attached, arn) {
		return nil
	}
	if len(*p.attached) >= maxAttachedPolicies {
		return apiErr(op, CodeLimitExceeded, "%s %s already has %d managed policies attached, the PoliciesPer%s quota",
			strings.ToLower(p.kind), p.name, maxAttachedPolicies, p.kind)
	}
	*p.attached = sortedStrings(append(*p.attached, arn))
	return nil
}

// managedHint explains a missing AWS managed policy: it may exist on AWS but
// not in the simulation's built-in set.
func managedHint(arn string) string {
	if _, ok := awsManagedSuffix(arn); !ok {
		return ""
	}
	return " (the local simulation knows only these AWS managed policies: " + strings.Join(AWSManagedPolicyARNs("aws"), ", ") + ")"
}

// detach is DetachRolePolicy / DetachGroupPolicy / DetachUserPolicy.
func (s *sim) detach(a *simAccount, at *model.Attachment) error {
	op := opName("Detach", at.PrincipalKind, "Policy")
	p, err := s.principal(op, a, at.PrincipalKind, at.PrincipalName)
	if err != nil {
		return err
	}
	arn, ok := a.resolvePolicyARN(at.PolicyARN)
	if !ok {
		arn = at.PolicyARN
	}
	i := slices.Index(*p.attached, arn)
	if i < 0 {
		return apiErr(op, CodeNoSuchEntity, "policy %s is not attached to %s %s", at.PolicyARN, strings.ToLower(p.kind), p.name)
	}
	*p.attached = slices.Delete(*p.attached, i, i+1)
	if len(*p.attached) == 0 {
		*p.attached = nil
	}
	return nil
}

// ---- memberships ----

func (s *sim) addUserToGroup(a *simAccount, m *model.Membership) error {
	const op = "AddUserToGroup"
	g, err := s.group(op, a, m.Group)
	if err != nil {
		return err
	}
	u, err := s.user(op, a, m.User)
	if err != nil {
		return err
	}
	if slices.Contains(u.Groups, g.Name) {
		return nil
	}
	if len(u.Groups) >= maxGroupsPerUser {
		return apiErr(op, CodeLimitExceeded, "user %s is already in %d groups, the GroupsPerUser quota", u.Name, maxGroupsPerUser)
	}
	u.Groups = sortedStrings(append(u.Groups, g.Name))
	return nil
}

func (s *sim) removeUserFromGroup(a *simAccount, m *model.Membership) error {
	const op = "RemoveUserFromGroup"
	g, err := s.group(op, a, m.Group)
	if err != nil {
		return err
	}
	u, err := s.user(op, a, m.User)
	if err != nil {
		return err
	}
	i := slices.Index(u.Groups, g.Name)
	if i < 0 {
		return apiErr(op, CodeNoSuchEntity, "user %s is not a member of group %s", u.Name, g.Name)
	}
	u.Groups = slices.Delete(u.Groups, i, i+1)
	if len(u.Groups) == 0 {
		u.Groups = nil
	}
	return nil
}

// ---- tags ----

// retag applies the difference between before and after to the current tag
// set: keys dropped are untagged, keys added or changed are tagged. Tags set
// outside trustform and absent from both stay, as they would on AWS. Keys
// match without regard to case, as IAM's do.
func retag(op string, current, before, after map[string]string) (map[string]string, error) {
	next := maps.Clone(current)
	if next == nil {
		next = map[string]string{}
	}
	for k := range before {
		if _, keep := after[k]; !keep {
			deleteFold(next, k)
		}
	}
	changed := false
	for k, v := range after {
		if bv, ok := before[k]; !ok || bv != v {
			deleteFold(next, k)
			next[k] = v
			changed = true
		}
	}
	if changed {
		if err := validateTags(op, next); err != nil {
			return current, err
		}
	}
	return mapOrNil(next), nil
}

func deleteFold(m map[string]string, key string) {
	for k := range m {
		if strings.EqualFold(k, key) {
			delete(m, k)
		}
	}
}
