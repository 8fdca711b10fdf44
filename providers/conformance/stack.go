package conformance

import "github.com/trustform/trustform/engine"

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
func (e *env) stackConfig() *engine.Config {
	dev, prod := e.dev.ID, e.prod.ID
	annARN := engine.UserARN("aws", dev, annPath, userAnn)
	chainARN := engine.RoleARN("aws", prod, "/", roleChain)
	targetARN := engine.RoleARN("aws", prod, targetPath, roleTarget)
	updateAppARN := engine.RoleARN("aws", prod, "/", roleUpdateApp)
	rwARN := engine.PolicyARN("aws", prod, "/", policyRW)

	mfa := assume(engine.RootARN("aws", dev))
	mfa.Conditions = map[string]map[string][]string{"Bool": {"aws:MultiFactorAuthPresent": {"true"}}}

	return &engine.Config{
		Stack:    engine.StackConfig{Name: stackName},
		Accounts: e.accounts(),
		Groups: []*engine.GroupConfig{
			{Address: "group.developers", Account: dev, Name: groupDevelopers, Existing: true},
			{Address: "group.ops", Account: dev, Name: groupOps},
		},
		Users: []*engine.UserConfig{
			{Address: "user.ann", Account: dev, Name: userAnn, Path: annPath, Groups: []string{groupOps, groupDevelopers},
				Tags: map[string]string{"team": "platform"}},
		},
		Policies: []*engine.PolicyConfig{
			{Address: "policy.rw", Account: prod, Name: policyRW, Path: "/", Description: "read and write the app bucket",
				Document: bucketPolicy("productionapp")},
		},
		Roles: []*engine.RoleConfig{
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
		Grants: []*engine.GrantConfig{
			{Address: "grant.developers", Effect: "Allow", Roles: []string{chainARN, updateAppARN},
				To: []engine.PrincipalRef{{Kind: engine.KindGroup, Account: dev, Name: groupDevelopers, ARN: engine.GroupARN("aws", dev, "/", groupDevelopers)}}},
			{Address: "deny.ops", Effect: "Deny", Roles: []string{updateAppARN},
				To: []engine.PrincipalRef{{Kind: engine.KindGroup, Account: dev, Name: groupOps, ARN: engine.GroupARN("aws", dev, engine.OwnedGroupPath(stackName), groupOps)}}},
		},
	}
}

// stackCreates is what the first plan of stackConfig does from accounts that
// hold only the existing group, as planEntries renders it.
func (e *env) stackCreates() []string {
	dev, prod := e.dev.ID, e.prod.ID
	keys := []engine.Key{
		engine.PrincipalKey(dev, engine.KindGroup, groupOps),
		engine.PrincipalKey(dev, engine.KindUser, userAnn),
		engine.MembershipKey(dev, userAnn, groupOps),
		engine.MembershipKey(dev, userAnn, groupDevelopers),
		engine.InlineKey(dev, engine.KindGroup, groupDevelopers, engine.GrantPolicyName(stackName, "grant.developers")),
		engine.InlineKey(dev, engine.KindGroup, groupOps, engine.GrantPolicyName(stackName, "deny.ops")),
		engine.PolicyKey(prod, policyRW),
		engine.PrincipalKey(prod, engine.KindRole, roleChain),
		engine.PrincipalKey(prod, engine.KindRole, roleTarget),
		engine.PrincipalKey(prod, engine.KindRole, roleUpdateApp),
		engine.InlineKey(prod, engine.KindRole, roleChain, "assume-target"),
		engine.InlineKey(prod, engine.KindRole, roleTarget, "notes"),
		engine.AttachmentKey(prod, engine.KindRole, roleTarget, engine.PolicyARN("aws", prod, "/", policyRW)),
		engine.AttachmentKey(prod, engine.KindRole, roleTarget, readOnlyAccessARN),
	}
	out := make([]*engine.Change, len(keys))
	for i, k := range keys {
		out[i] = &engine.Change{Action: engine.Create, Key: k}
	}
	return planEntries(out)
}

// seedExisting puts into development what the stack declares with
// existing = true: the group Developers, made outside trustform.
func (e *env) seedExisting() {
	e.t.Helper()
	e.apply(e.dev, createChange(e.dev, &engine.Group{Name: groupDevelopers, Path: "/"}))
}
