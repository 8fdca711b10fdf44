package conformance

import (
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
)

// testDeleteOrdering destroys a stack whose managed policy is attached to an
// owned role, group and user that also carry inline policies and
// memberships. IAM refuses (DeleteConflict) to delete a principal that still
// has any of those, or a policy still attached anywhere, so the destroy must
// complete without error and leave nothing the stack owned. Because moto
// does not refuse such deletes, the order of the provider calls is checked
// too: every delete of a role, group, user or policy starts only after the
// deletes of everything hanging off it (and of grants naming it) have ended.
func testDeleteOrdering(t *testing.T, e *env) {
	acct := e.dev
	id := acct.ID
	sharedARN := model.PolicyARN("aws", id, "/", "conformance-shared")
	runnerARN := model.RoleARN("aws", id, "/", "Runner")
	cfg := &model.Config{
		Stack:    model.StackConfig{Name: stackName},
		Accounts: []*model.AccountConfig{acct},
		Groups:   []*model.GroupConfig{{Address: "group.crew", Account: id, Name: "Crew"}},
		Users: []*model.UserConfig{{Address: "user.uli", Account: id, Name: "Uli", Groups: []string{"Crew"},
			Tags: map[string]string{"team": "platform"}}},
		Policies: []*model.PolicyConfig{{Address: "policy.shared", Account: id, Name: "conformance-shared", Path: "/",
			Document: bucketPolicy("shared")}},
		Roles: []*model.RoleConfig{{Address: "role.runner", Account: id, Name: "Runner", MaxSessionDuration: 3600,
			TrustDocument:   trust(model.UserARN("aws", id, "/", "Uli")),
			ManagedPolicies: []string{sharedARN, readOnlyAccessARN},
			InlinePolicies:  map[string]string{"notes": document(allow([]string{"s3:ListAllMyBuckets"}, "*"))}}},
		Grants: []*model.GrantConfig{{Address: "grant.crew", Effect: "Allow", Roles: []string{runnerARN}, To: []model.PrincipalRef{
			{Kind: model.KindGroup, Account: id, Name: "Crew"},
			{Kind: model.KindUser, Account: id, Name: "Uli"},
		}}},
	}
	e.converge(cfg)
	// The language attaches managed policies to roles only, so the policy
	// is attached to the owned group and user through the provider: what
	// hangs off an owned principal is the stack's, and destroy must remove it.
	e.apply(acct,
		createChange(acct, &model.Attachment{PrincipalKind: model.KindGroup, PrincipalName: "Crew", PolicyARN: sharedARN}),
		createChange(acct, &model.Attachment{PrincipalKind: model.KindUser, PrincipalName: "Uli", PolicyARN: sharedARN}),
		createChange(acct, &model.Attachment{PrincipalKind: model.KindUser, PrincipalName: "Uli", PolicyARN: readOnlyAccessARN}),
	)

	rec := record(e.prov)
	destroy := e.plan(cfg, rec, true)
	if err := engine.Apply(e.ctx, destroy, cfg, rec, engine.ApplyOptions{}); err != nil {
		t.Fatalf("destroy: %v\nplan:\n%s", err, describePlan(destroy))
	}
	for _, parent := range rec.events {
		if parent.change.Action != model.Delete {
			continue
		}
		for _, child := range rec.events {
			if child.change.Action == model.Delete && needs(child.change, parent.change) && child.ended > parent.started {
				t.Errorf("%s started before %s had ended", engine.Describe(parent.change), engine.Describe(child.change))
			}
		}
	}
	a := e.read(acct)
	if owned := ownedObjects(a, stackName); len(owned) > 0 {
		t.Errorf("after destroy the stack still owns %v", owned)
	}
	for _, d := range diffAccount(model.NewAccount(id, "aws"), a) {
		t.Errorf("after destroy: %s", d)
	}
}

// needs reports whether the object child deletes must be gone before the
// object parent deletes can go: an inline policy, attachment or membership
// of a principal, an attachment of a policy, a grant naming a role.
func needs(child, parent *model.Change) bool {
	if child.Account.ID != parent.Account.ID || child == parent {
		return false
	}
	var kind model.Kind
	var name string
	switch p := parent.Before.(type) {
	case *model.Role:
		kind, name = model.KindRole, p.Name
	case *model.Group:
		kind, name = model.KindGroup, p.Name
	case *model.User:
		kind, name = model.KindUser, p.Name
	case *model.ManagedPolicy:
		a, ok := child.Before.(*model.Attachment)
		if !ok {
			return false
		}
		k, ok := model.ARNKey(a.PolicyARN)
		return ok && k == parent.Key
	default:
		return false
	}
	same := func(k model.Kind, n string) bool { return k == kind && model.NameKey(n) == model.NameKey(name) }
	switch c := child.Before.(type) {
	case *model.InlinePolicy:
		return same(c.PrincipalKind, c.PrincipalName) || (kind == model.KindRole && names(c.Document, parent.Key))
	case *model.Attachment:
		return same(c.PrincipalKind, c.PrincipalName)
	case *model.Membership:
		return same(model.KindUser, c.User) || same(model.KindGroup, c.Group)
	}
	return false
}

// names reports whether a policy document names the object key in its
// resources, as a grant names the role it allows to be assumed.
func names(doc string, key model.Key) bool {
	d, err := policy.Parse(doc)
	if err != nil {
		return false
	}
	for _, s := range d.Statements {
		for _, r := range s.Resources {
			if k, ok := model.ARNKey(r); ok && k == key {
				return true
			}
		}
	}
	return false
}
