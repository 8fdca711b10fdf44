package conformance

import (
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/trustform/trustform/engine"
)

// testOwnership puts objects the stack does not own into both accounts
// before it first runs — plain ones, and ones that look like another stack's
// (tagged, or under the group path, of a stack named other-stack) — and
// checks the first rule of ownership: an object the stack does not own is
// never changed or deleted. They must read back unchanged, field by field,
// after the stack is applied (the existing group gaining only the stack's
// grant) and after it is destroyed; and a stack that declares a role of the
// same name as an unowned one must stop at plan time, naming the role,
// before anything is applied.
//
// The unowned objects are compared only with how the same target read them
// before the stack ran, never with the fixtures as written, and a role's
// description and maximum session duration only when the role carries the
// owner tag (any value): a target may leave them unread on other roles,
// since the engine never compares them there (see the package documentation
// and unreadCleared). Legacy, tagged for other-stack, has them compared;
// Handmade, without the tag, does not.
func testOwnership(t *testing.T, e *env) {
	dev, prod := e.dev, e.prod
	devRoot := model.RootARN("aws", dev.ID)
	notes := document(allow([]string{"s3:ListAllMyBuckets"}, "*"))
	e.seedExisting()
	e.apply(prod,
		createChange(prod, &model.ManagedPolicy{Name: "legacy-policy", Path: "/", Description: "made by hand",
			Document: bucketPolicy("legacy")}),
		createChange(prod, &model.Role{Name: "Legacy", Path: "/", Description: "made by hand", MaxSessionDuration: 3600,
			TrustPolicy: trust(devRoot), Tags: map[string]string{ownership.OwnerTagKey: "other-stack", "team": "legacy"}}),
		createChange(prod, &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "Legacy", Name: "legacy-notes", Document: notes}),
		createChange(prod, &model.Attachment{PrincipalKind: model.KindRole, PrincipalName: "Legacy",
			PolicyARN: model.PolicyARN("aws", prod.ID, "/", "legacy-policy")}),
		createChange(prod, &model.Attachment{PrincipalKind: model.KindRole, PrincipalName: "Legacy", PolicyARN: readOnlyAccessARN}),
		createChange(prod, &model.Role{Name: "Handmade", Path: "/", Description: "made by hand", MaxSessionDuration: 7200,
			TrustPolicy: trust(devRoot), Tags: map[string]string{"team": "legacy"}}),
		createChange(prod, &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "Handmade", Name: "handmade-notes", Document: notes}),
	)
	e.apply(dev,
		createChange(dev, &model.InlinePolicy{PrincipalKind: model.KindGroup, PrincipalName: groupDevelopers, Name: "handwritten", Document: notes}),
		createChange(dev, &model.User{Name: "Bob", Path: "/", Tags: map[string]string{"team": "legacy"}}),
		createChange(dev, &model.Membership{User: "Bob", Group: groupDevelopers}),
		createChange(dev, &model.InlinePolicy{PrincipalKind: model.KindUser, PrincipalName: "Bob", Name: "bob-notes", Document: notes}),
		createChange(dev, &model.Group{Name: "Auditors", Path: ownership.OwnedGroupPath("other-stack")}),
		createChange(dev, &model.Attachment{PrincipalKind: model.KindGroup, PrincipalName: "Auditors", PolicyARN: readOnlyAccessARN}),
	)
	seeded := e.snapshot()
	for _, a := range e.accounts() {
		if owned := ownedObjects(seeded[a.ID], stackName); len(owned) > 0 {
			t.Fatalf("objects made outside the stack read as the stack's in %s: %v", a.Name, owned)
		}
	}

	t.Run("a same-named unowned role stops the plan", func(t *testing.T) {
		e := e.with(t)
		cfg := e.stackConfig()
		cfg.Roles = append(cfg.Roles, &model.RoleConfig{Address: "role.legacy", Account: prod.ID, Name: "Legacy",
			MaxSessionDuration: 3600, TrustDocument: trust(devRoot)})
		rec := record(e.prov)
		p, err := engine.MakePlan(e.ctx, cfg, rec, engine.PlanOptions{})
		if err == nil {
			t.Fatalf("the stack declares role Legacy, which exists and is not its own, and still planned:\n%s", describePlan(p))
		}
		for _, want := range []string{`role "Legacy"`, "not owned"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the error does not say %q: %v", want, err)
			}
		}
		if _, applies := rec.counts(); applies != 0 {
			t.Errorf("%d changes were applied although the plan failed", applies)
		}
		e.sameAsBefore("after the refused plan", seeded, e.snapshot())
	})

	cfg := e.stackConfig()
	e.converge(cfg)
	applied := e.snapshot()
	for _, a := range e.accounts() {
		for _, d := range diffAccount(unreadCleared(seeded[a.ID]), unreadCleared(foreign(applied[a.ID], stackName))) {
			t.Errorf("after apply, in %s (%s), what the stack does not own changed: %s", a.Name, a.ID, d)
		}
	}
	e.applyPlan(cfg, e.prov, e.plan(cfg, e.prov, true))
	e.sameAsBefore("after destroy", seeded, e.snapshot())
}
