package conformance

import (
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

// The stack the engine-driven subtests plan: the tutorial's shape with owned
// objects of every kind the language declares, built by hand as
// engine/apply_test.go does, so the suite does not depend on the schema
// package.
//
// Development (111111111111):
//   - group Developers, existing = true (put there by seedExisting), which
//     receives the stack's grant;
//   - owned group Ops, which receives the stack's deny;
//   - owned user Ann under /people/, member of Ops and of Developers.
//
// Production (999999999999):
//   - owned managed policy conformance-rw;
//   - role Chain, trusted by Ann (a user created in the same apply);
//   - role Target under /apps/, trusted by Chain (a role created in the same
//     apply), with conformance-rw and the AWS-managed ReadOnlyAccess attached
//     and an inline policy;
//   - role UpdateApp, trusted by the development account with MFA required.
const (
	groupDevelopers = "Developers"
	groupOps        = "Ops"
	userAnn         = "Ann"
	annPath         = "/people/"
	policyRW        = "conformance-rw"
	roleChain       = "Chain"
	roleTarget      = "Target"
	targetPath      = "/apps/"
	roleUpdateApp   = "UpdateApp"
)

// stackConfig returns a new copy of the stack, so a test may change it.
func (e *env) stackConfig() *model.Config {
	dev, prod := e.dev.ID, e.prod.ID
	annARN := model.UserARN("aws", dev, annPath, userAnn)
	chainARN := model.RoleARN("aws", prod, "/", roleChain)
	targetARN := model.RoleARN("aws", prod, targetPath, roleTarget)
	updateAppARN := model.RoleARN("aws", prod, "/", roleUpdateApp)
	rwARN := model.PolicyARN("aws", prod, "/", policyRW)

	mfa := assume(model.RootARN("aws", dev))
	mfa.Conditions = map[string]map[string][]string{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}}

	return &model.Config{
		Stack:    model.StackConfig{Name: stackName},
		Accounts: e.accounts(),
		Groups: []*model.GroupConfig{
			{Address: "group.developers", Account: dev, Name: groupDevelopers, Existing: true},
			{Address: "group.ops", Account: dev, Name: groupOps},
		},
		Users: []*model.UserConfig{
			{Address: "user.ann", Account: dev, Name: userAnn, Path: annPath, Groups: []string{groupOps, groupDevelopers},
				Tags: map[string]string{"team": "platform"}},
		},
		Policies: []*model.PolicyConfig{
			{Address: "policy.rw", Account: prod, Name: policyRW, Path: "/", Description: "read and write the app bucket",
				Document: bucketPolicy("productionapp")},
		},
		Roles: []*model.RoleConfig{
			{Address: "role.chain", Account: prod, Name: roleChain, Path: "/", Description: "first hop, assumed by Ann",
				MaxSessionDuration: 7200, TrustDocument: trust(annARN),
				InlinePolicies: map[string]string{"assume-target": document(allow([]string{"sts:AssumeRole"}, targetARN))},
				Tags:           map[string]string{"team": "platform"}},
			{Address: "role.target", Account: prod, Name: roleTarget, Path: targetPath, MaxSessionDuration: 3600,
				TrustDocument: trust(chainARN), ManagedPolicies: []string{rwARN, readOnlyAccessARN},
				InlinePolicies: map[string]string{"notes": document(allow([]string{"s3:ListAllMyBuckets"}, "*"))}},
			{Address: "role.update_app", Account: prod, Name: roleUpdateApp, Path: "/", Description: "requires MFA",
				MaxSessionDuration: 3600, TrustDocument: document(mfa), Tags: map[string]string{"team": "apps"}},
		},
		Grants: []*model.GrantConfig{
			{Address: "grant.developers", Effect: "Allow", Roles: []string{chainARN, updateAppARN},
				To: []model.PrincipalRef{{Kind: model.KindGroup, Account: dev, Name: groupDevelopers, ARN: model.GroupARN("aws", dev, "/", groupDevelopers)}}},
			{Address: "deny.ops", Effect: "Deny", Roles: []string{updateAppARN},
				To: []model.PrincipalRef{{Kind: model.KindGroup, Account: dev, Name: groupOps, ARN: model.GroupARN("aws", dev, ownership.OwnedGroupPath(stackName), groupOps)}}},
		},
	}
}

// stackCreates is what the first plan of stackConfig does from accounts that
// hold only the existing group, as planEntries renders it.
func (e *env) stackCreates() []string {
	dev, prod := e.dev.ID, e.prod.ID
	keys := []model.Key{
		model.PrincipalKey(dev, model.KindGroup, groupOps),
		model.PrincipalKey(dev, model.KindUser, userAnn),
		model.MembershipKey(dev, userAnn, groupOps),
		model.MembershipKey(dev, userAnn, groupDevelopers),
		model.InlineKey(dev, model.KindGroup, groupDevelopers, ownership.GrantPolicyName(stackName, "grant.developers")),
		model.InlineKey(dev, model.KindGroup, groupOps, ownership.GrantPolicyName(stackName, "deny.ops")),
		model.PolicyKey(prod, policyRW),
		model.PrincipalKey(prod, model.KindRole, roleChain),
		model.PrincipalKey(prod, model.KindRole, roleTarget),
		model.PrincipalKey(prod, model.KindRole, roleUpdateApp),
		model.InlineKey(prod, model.KindRole, roleChain, "assume-target"),
		model.InlineKey(prod, model.KindRole, roleTarget, "notes"),
		model.AttachmentKey(prod, model.KindRole, roleTarget, model.PolicyARN("aws", prod, "/", policyRW)),
		model.AttachmentKey(prod, model.KindRole, roleTarget, readOnlyAccessARN),
	}
	out := make([]*model.Change, len(keys))
	for i, k := range keys {
		out[i] = &model.Change{Action: model.Create, Key: k}
	}
	return planEntries(out)
}

// seedExisting puts into development what the stack declares with
// existing = true: the group Developers, made outside trustform.
func (e *env) seedExisting() {
	e.t.Helper()
	e.apply(e.dev, createChange(e.dev, &model.Group{Name: groupDevelopers, Path: "/"}))
}
