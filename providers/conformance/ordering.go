package conformance

import (
	"testing"

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
	sharedARN := engine.PolicyARN("aws", id, "/", "conformance-shared")
	runnerARN := engine.RoleARN("aws", id, "/", "Runner")
	cfg := &engine.Config{
		Stack:    engine.StackConfig{Name: stackName},
		Accounts: []*engine.AccountConfig{acct},
		Groups:   []*engine.GroupConfig{{Address: "group.crew", Account: id, Name: "Crew"}},
		Users: []*engine.UserConfig{{Address: "user.uli", Account: id, Name: "Uli", Groups: []string{"Crew"},
			Tags: map[string]string{"team": "platform"}}},
		Policies: []*engine.PolicyConfig{{Address: "policy.shared", Account: id, Name: "conformance-shared", Path: "/",
			Document: bucketPolicy("shared")}},
		Roles: []*engine.RoleConfig{{Address: "role.runner", Account: id, Name: "Runner", MaxSessionDuration: 3600,
			TrustDocument:   trust(engine.UserARN("aws", id, "/", "Uli")),
			ManagedPolicies: []string{sharedARN, readOnlyAccessARN},
			InlinePolicies:  map[string]string{"notes": document(allow([]string{"s3:ListAllMyBuckets"}, "*"))}}},
		Grants: []*engine.GrantConfig{{Address: "grant.crew", Effect: "Allow", Roles: []string{runnerARN}, To: []engine.PrincipalRef{
			{Kind: engine.KindGroup, Account: id, Name: "Crew"},
			{Kind: engine.KindUser, Account: id, Name: "Uli"},
		}}},
	}
	e.converge(cfg)
	// The language attaches managed policies to roles only, so the policy
	// is attached to the owned group and user through the provider: what
	// hangs off an owned principal is the stack's, and destroy must remove it.
	e.apply(acct,
		createChange(acct, &engine.Attachment{PrincipalKind: engine.KindGroup, PrincipalName: "Crew", PolicyARN: sharedARN}),
		createChange(acct, &engine.Attachment{PrincipalKind: engine.KindUser, PrincipalName: "Uli", PolicyARN: sharedARN}),
		createChange(acct, &engine.Attachment{PrincipalKind: engine.KindUser, PrincipalName: "Uli", PolicyARN: readOnlyAccessARN}),
	)

	rec := record(e.prov)
	destroy := e.plan(cfg, rec, true)
	if err := engine.Apply(e.ctx, destroy, cfg, rec, engine.ApplyOptions{}); err != nil {
		t.Fatalf("destroy: %v\nplan:\n%s", err, describePlan(destroy))
	}
	for _, parent := range rec.events {
		if parent.change.Action != engine.Delete {
			continue
		}
		for _, child := range rec.events {
			if child.change.Action == engine.Delete && needs(child.change, parent.change) && child.ended > parent.started {
				t.Errorf("%s started before %s had ended", engine.Describe(parent.change), engine.Describe(child.change))
			}
		}
	}
	a := e.read(acct)
	if owned := ownedObjects(a, stackName); len(owned) > 0 {
		t.Errorf("after destroy the stack still owns %v", owned)
	}
	for _, d := range diffAccount(engine.NewAccount(id, "aws"), a) {
		t.Errorf("after destroy: %s", d)
	}
}

// needs reports whether the object child deletes must be gone before the
// object parent deletes can go: an inline policy, attachment or membership
// of a principal, an attachment of a policy, a grant naming a role.
func needs(child, parent *engine.Change) bool {
	if child.Account.ID != parent.Account.ID || child == parent {
		return false
	}
	var kind engine.Kind
	var name string
	switch p := parent.Before.(type) {
	case *engine.Role:
		kind, name = engine.KindRole, p.Name
	case *engine.Group:
		kind, name = engine.KindGroup, p.Name
	case *engine.User:
		kind, name = engine.KindUser, p.Name
	case *engine.ManagedPolicy:
		a, ok := child.Before.(*engine.Attachment)
		if !ok {
			return false
		}
		k, ok := engine.ARNKey(a.PolicyARN)
		return ok && k == parent.Key
	default:
		return false
	}
	same := func(k engine.Kind, n string) bool { return k == kind && engine.NameKey(n) == engine.NameKey(name) }
	switch c := child.Before.(type) {
	case *engine.InlinePolicy:
		return same(c.PrincipalKind, c.PrincipalName) || (kind == engine.KindRole && names(c.Document, parent.Key))
	case *engine.Attachment:
		return same(c.PrincipalKind, c.PrincipalName)
	case *engine.Membership:
		return same(engine.KindUser, c.User) || same(engine.KindGroup, c.Group)
	}
	return false
}

// names reports whether a policy document names the object key in its
// resources, as a grant names the role it allows to be assumed.
func names(doc string, key engine.Key) bool {
	d, err := policy.Parse(doc)
	if err != nil {
		return false
	}
	for _, s := range d.Statements {
		for _, r := range s.Resources {
			if k, ok := engine.ARNKey(r); ok && k == key {
				return true
			}
		}
	}
	return false
}
