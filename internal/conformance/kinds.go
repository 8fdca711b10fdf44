package conformance

import (
	"fmt"
	"slices"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

// testChangeKinds applies every kind of change the engine emits through
// Provider.Apply and reads each back through Provider.Read. It works in the
// production account only: a customer-managed policy can only be attached in
// its own account, and trust across accounts is covered by the engine-driven
// subtests. The changes come in four phases, each read back once and compared
// whole with what the suite expects the account to hold, so that a change
// that also disturbs something else is caught too.
func testChangeKinds(t *testing.T, e *env) {
	acct := e.prod
	devRoot := model.RootARN("aws", e.dev.ID)
	policyARN := model.PolicyARN("aws", acct.ID, "/conformance/", "conformance-rw")
	umaARN := model.UserARN("aws", acct.ID, "/people/", "Uma")
	notesV1 := document(allow([]string{"s3:ListAllMyBuckets"}, "*"))
	notesV2 := document(allow([]string{"s3:ListAllMyBuckets", "s3:GetBucketLocation"}, "*"))

	// The objects carry the suite's ownership marks, as everything the
	// engine creates does: a target may read less about objects no stack
	// owns (see the package documentation). The managed policy carries no
	// tags, as the engine's carry none (its mark is the description's end).
	// Their paths are not "/" because paths are part of ARNs and easy to
	// lose.
	pol := &model.ManagedPolicy{Name: "conformance-rw", Path: "/conformance/",
		Description: ownership.PolicyDescription("what the suite's principals may do", stackName),
		Document:    bucketPolicy("conformance-v1")}
	// The role's boundary starts as an AWS managed policy and becomes the
	// account's own; the user's starts as the account's own and is removed:
	// Put and Delete of both principals' boundaries.
	role := &model.Role{Name: "Worker", Path: "/conformance/", Description: "first", MaxSessionDuration: 3600,
		TrustPolicy: trust(devRoot), PermissionsBoundary: readOnlyAccessARN, Tags: owned("team", "a", "env", "dev")}
	group := &model.Group{Name: "Team", Path: ownership.OwnedGroupPath(stackName)}
	user := &model.User{Name: "Uma", Path: "/people/", PermissionsBoundary: policyARN, Tags: owned("team", "a", "env", "dev")}
	if why := e.unholdableUser(user); why != "" {
		t.Logf("the user's permissions boundary is left out: %s", why)
		user.PermissionsBoundary = ""
	}
	principals := []principal{{model.KindRole, role.Name}, {model.KindGroup, group.Name}, {model.KindUser, user.Name}}
	attached := []string{policyARN, readOnlyAccessARN}

	want := model.NewAccount(acct.ID, "aws") // what the account should hold after each phase
	phases := []struct {
		name    string
		changes func(have *model.Account) []*model.Change
		expect  func()
	}{
		{
			name: "create",
			changes: func(*model.Account) []*model.Change {
				out := []*model.Change{
					createChange(acct, pol), createChange(acct, group), createChange(acct, user), createChange(acct, role),
					createChange(acct, &model.Membership{User: user.Name, Group: group.Name}),
				}
				for _, p := range principals {
					out = append(out, createChange(acct, &model.InlinePolicy{PrincipalKind: p.kind, PrincipalName: p.name, Name: "notes", Document: notesV1}))
					for _, arn := range attached {
						out = append(out, createChange(acct, &model.Attachment{PrincipalKind: p.kind, PrincipalName: p.name, PolicyARN: arn}))
					}
				}
				return out
			},
			expect: func() {
				want.Policies[model.NameKey(pol.Name)] = pol.Clone()
				want.Roles[model.NameKey(role.Name)] = role.Clone()
				want.Groups[model.NameKey(group.Name)] = group.Clone()
				u := user.Clone()
				u.Groups = []string{group.Name}
				want.Users[model.NameKey(user.Name)] = u
				for _, p := range principals {
					inl, att := p.slots(want)
					*inl = map[string]string{"notes": notesV1}
					*att = slices.Clone(attached)
				}
			},
		},
		{
			name: "update",
			changes: func(have *model.Account) []*model.Change {
				hp := have.Policies[model.NameKey(pol.Name)]
				p := hp.Clone()
				p.Document = bucketPolicy("conformance-v2")
				hr := have.Roles[model.NameKey(role.Name)]
				r := hr.Clone()
				r.Description, r.MaxSessionDuration = "second", 7200
				r.TrustPolicy = trust(devRoot, umaARN)
				r.PermissionsBoundary = policyARN
				r.Tags = owned("team", "b", "cost", "42") // one changed, one added, one removed
				hu := have.Users[model.NameKey(user.Name)]
				u := hu.Clone()
				u.PermissionsBoundary = "" // removed, where the target could hold one
				u.Tags = owned("team", "b", "cost", "42")
				out := []*model.Change{updateChange(acct, hp, p), updateChange(acct, hr, r), updateChange(acct, hu, u)}
				for _, pr := range principals {
					inl, _ := pr.slots(have)
					out = append(out, updateChange(acct,
						&model.InlinePolicy{PrincipalKind: pr.kind, PrincipalName: pr.name, Name: "notes", Document: (*inl)["notes"]},
						&model.InlinePolicy{PrincipalKind: pr.kind, PrincipalName: pr.name, Name: "notes", Document: notesV2}))
				}
				return out
			},
			expect: func() {
				want.Policies[model.NameKey(pol.Name)].Document = bucketPolicy("conformance-v2")
				r := want.Roles[model.NameKey(role.Name)]
				r.Description, r.MaxSessionDuration = "second", 7200
				r.TrustPolicy = trust(devRoot, umaARN)
				r.PermissionsBoundary = policyARN
				r.Tags = owned("team", "b", "cost", "42")
				want.Users[model.NameKey(user.Name)].Tags = owned("team", "b", "cost", "42")
				want.Users[model.NameKey(user.Name)].PermissionsBoundary = ""
				for _, p := range principals {
					inl, _ := p.slots(want)
					*inl = map[string]string{"notes": notesV2}
				}
			},
		},
		{
			name: "detach and remove",
			changes: func(have *model.Account) []*model.Change {
				var out []*model.Change
				for _, p := range principals {
					inl, _ := p.slots(have)
					out = append(out, deleteChange(acct, &model.InlinePolicy{PrincipalKind: p.kind, PrincipalName: p.name, Name: "notes", Document: (*inl)["notes"]}))
					for _, arn := range attached {
						out = append(out, deleteChange(acct, &model.Attachment{PrincipalKind: p.kind, PrincipalName: p.name, PolicyARN: arn}))
					}
				}
				return append(out, deleteChange(acct, &model.Membership{User: user.Name, Group: group.Name}))
			},
			expect: func() {
				want.Users[model.NameKey(user.Name)].Groups = nil
				for _, p := range principals {
					inl, att := p.slots(want)
					*inl, *att = nil, nil
				}
			},
		},
		{
			name: "delete",
			changes: func(have *model.Account) []*model.Change {
				return []*model.Change{
					deleteChange(acct, have.Roles[model.NameKey(role.Name)]),
					deleteChange(acct, have.Users[model.NameKey(user.Name)]),
					deleteChange(acct, have.Groups[model.NameKey(group.Name)]),
					deleteChange(acct, have.Policies[model.NameKey(pol.Name)]),
				}
			},
			expect: func() { want = model.NewAccount(acct.ID, "aws") },
		},
	}

	have := e.read(acct)
	if d := diffAccount(want, have); len(d) > 0 {
		t.Fatalf("Harness.New gave a production account that is not empty: %v", d)
	}
	for _, ph := range phases {
		ok := t.Run(ph.name, func(t *testing.T) {
			pe := e.with(t)
			pe.apply(acct, ph.changes(have)...)
			ph.expect()
			have = pe.read(acct)
			for _, d := range diffAccount(want, have) {
				t.Errorf("read back after %s: %s", ph.name, d)
			}
		})
		if !ok {
			return // each phase starts from what the one before left
		}
	}
}

// principal names a role, group or user in an account.
type principal struct {
	kind model.Kind
	name string
}

// slots returns the principal's inline policies and attachments in a, for
// reading or replacing; the principal must be in a.
func (p principal) slots(a *model.Account) (*map[string]string, *[]string) {
	switch p.kind {
	case model.KindRole:
		r := a.Roles[model.NameKey(p.name)]
		return &r.InlinePolicies, &r.AttachedPolicies
	case model.KindGroup:
		g := a.Groups[model.NameKey(p.name)]
		return &g.InlinePolicies, &g.AttachedPolicies
	default:
		u := a.Users[model.NameKey(p.name)]
		return &u.InlinePolicies, &u.AttachedPolicies
	}
}

// testPolicyVersionPruning updates a managed policy six times: IAM keeps at
// most five versions, so a target must delete an old non-default version
// before it creates the sixth, as every IAM client must. Afterwards the last
// document is the default, and the policy, with its five versions, can still
// be deleted (IAM refuses to delete a policy that has non-default versions
// left; a target must delete them first).
func testPolicyVersionPruning(t *testing.T, e *env) {
	acct := e.prod
	const updates = 6
	docs := make([]string, updates+1)
	for i := range docs {
		docs[i] = bucketPolicy(fmt.Sprintf("conformance-v%d", i))
	}
	p := &model.ManagedPolicy{Name: "conformance-versions", Path: "/",
		Description: ownership.PolicyDescription("updated more often than IAM keeps versions", stackName),
		Document:    docs[0]}
	e.apply(acct, createChange(acct, p))
	for i := 1; i <= updates; i++ {
		// Before is what a read would return after the previous update;
		// building it saves the read of an account per update.
		before, after := p.Clone(), p.Clone()
		before.Document, after.Document = docs[i-1], docs[i]
		if err := e.prov.Apply(e.ctx, acct, updateChange(acct, before, after)); err != nil {
			t.Fatalf("update %d of %d of managed policy %s: %v", i, updates, p.Name, err)
		}
	}
	want := model.NewAccount(acct.ID, "aws")
	last := p.Clone()
	last.Document = docs[updates]
	want.Policies[model.NameKey(p.Name)] = last
	have := e.read(acct)
	for _, d := range diffAccount(want, have) {
		t.Errorf("after %d updates: %s", updates, d)
	}
	if t.Failed() {
		return
	}
	e.apply(acct, deleteChange(acct, have.Policies[model.NameKey(p.Name)]))
	for _, d := range diffAccount(model.NewAccount(acct.ID, "aws"), e.read(acct)) {
		t.Errorf("after deleting the policy: %s", d)
	}
}

// owned returns tags (key, value, key, value, ...) with the suite's owner tag.
func owned(kv ...string) map[string]string {
	m := map[string]string{ownership.OwnerTagKey: stackName}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}
