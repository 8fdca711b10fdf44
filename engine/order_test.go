package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

func testConfig(stack string, accounts ...model.AccountRef) *model.Config {
	cfg := &model.Config{Stack: model.StackConfig{Name: stack}}
	for _, a := range accounts {
		cfg.Accounts = append(cfg.Accounts, &model.AccountConfig{Address: "account." + a.Name, Name: a.Name, ID: a.ID, Partition: "aws"})
	}
	return cfg
}

var (
	dev  = model.AccountRef{Name: "development", ID: "111111111111", Partition: "aws"}
	prod = model.AccountRef{Name: "production", ID: "999999999999", Partition: "aws"}
)

const trustDev = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`
const bucketDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`

// position finds a change by a description of it.
func position(t *testing.T, changes []*model.Change, action model.Action, key model.Key) int {
	t.Helper()
	for i, c := range changes {
		if c.Action == action && c.Key == key {
			return i
		}
	}
	t.Fatalf("no %s of %s in plan", action, key)
	return -1
}

func TestOrderCreatesBeforeUsesAndDeletesAfter(t *testing.T) {
	cfg := testConfig("s", dev, prod)
	roleARN := model.RoleARN("aws", prod.ID, "/", "UpdateApp")
	policyARN := model.PolicyARN("aws", prod.ID, "/", "rw")
	grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleARN + `"}]}`

	desired := model.NewState()
	p := desired.Account(prod.ID, "aws")
	p.Policies["rw"] = &model.ManagedPolicy{Name: "rw", Path: "/", Description: ownership.PolicyDescription("", "s"), Document: bucketDoc, Tags: map[string]string{ownership.OwnerTagKey: "s"}, Owned: true}
	p.Roles["updateapp"] = &model.Role{Name: "UpdateApp", Path: "/", TrustPolicy: trustDev, MaxSessionDuration: 3600, Tags: map[string]string{ownership.OwnerTagKey: "s"},
		AttachedPolicies: []string{policyARN}, InlinePolicies: map[string]string{}, Owned: true}
	d := desired.Account(dev.ID, "aws")
	d.Groups["developers"] = &model.Group{Name: "Developers", InlinePolicies: map[string]string{"trustform.s.grant.g": grant}}

	actual := model.NewState()
	a := actual.Account(dev.ID, "aws")
	a.Groups["developers"] = &model.Group{Name: "Developers", Path: "/", InlinePolicies: map[string]string{}}
	actual.Account(prod.ID, "aws")

	changes, err := Diff(actual, desired, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ordered := Order(changes)
	role := position(t, ordered, model.Create, model.PrincipalKey(prod.ID, model.KindRole, "UpdateApp"))
	pol := position(t, ordered, model.Create, model.PolicyKey(prod.ID, "rw"))
	att := position(t, ordered, model.Create, model.AttachmentKey(prod.ID, model.KindRole, "UpdateApp", policyARN))
	gr := position(t, ordered, model.Create, model.InlineKey(dev.ID, model.KindGroup, "Developers", "trustform.s.grant.g"))
	if !(pol < att && role < att && role < gr) {
		t.Fatalf("wrong order: policy %d role %d attachment %d grant %d", pol, role, att, gr)
	}
	if !slices.Contains(ordered[gr].DependsOn, role) {
		t.Fatalf("grant does not depend on the role it names: %v", ordered[gr].DependsOn)
	}

	// And the reverse: with everything applied, an empty desired state deletes
	// the grant and the attachment before the role, the role before nothing
	// else, and the policy after its detachment.
	applied := desired.Clone()
	ownership.MarkOwnership(applied.Accounts[prod.ID], "s")
	destroy, err := Diff(applied, model.NewState(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ordered = Order(destroy)
	role = position(t, ordered, model.Delete, model.PrincipalKey(prod.ID, model.KindRole, "UpdateApp"))
	pol = position(t, ordered, model.Delete, model.PolicyKey(prod.ID, "rw"))
	att = position(t, ordered, model.Delete, model.AttachmentKey(prod.ID, model.KindRole, "UpdateApp", policyARN))
	gr = position(t, ordered, model.Delete, model.InlineKey(dev.ID, model.KindGroup, "Developers", "trustform.s.grant.g"))
	if !(att < role && att < pol && gr < role) {
		t.Fatalf("wrong delete order: attachment %d role %d policy %d grant %d", att, role, pol, gr)
	}
	if len(ordered) != 4 {
		t.Fatalf("destroy touches %d objects, want 4 (the unowned group stays): %v", len(ordered), describeAll(ordered))
	}
}

func TestOrderIsDeterministic(t *testing.T) {
	desired := model.NewState()
	p := desired.Account(prod.ID, "aws")
	for _, n := range []string{"c", "a", "b", "e", "d"} {
		p.Roles[n] = &model.Role{Name: n, Path: "/", TrustPolicy: trustDev, MaxSessionDuration: 3600, InlinePolicies: map[string]string{"x": bucketDoc}, Owned: true}
	}
	cfg := testConfig("s", prod)
	var first []string
	for range 20 {
		changes, err := Diff(model.NewState(), desired, cfg)
		if err != nil {
			t.Fatal(err)
		}
		got := describeAll(Order(changes))
		if first == nil {
			first = got
			continue
		}
		if !slices.Equal(first, got) {
			t.Fatalf("order changed between runs:\n%v\n%v", first, got)
		}
	}
}

func describeAll(cs []*model.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = Describe(c)
	}
	return out
}

func TestDiffRefusesToTakeOverUnownedObjects(t *testing.T) {
	cfg := testConfig("s", prod)
	cfg.Roles = []*model.RoleConfig{{Address: "role.update_app", Account: prod.ID, Name: "UpdateApp", Source: model.Source{Filename: "main.hcl", Line: 3, Column: 1}}}
	desired := model.NewState()
	desired.Account(prod.ID, "aws").Roles["updateapp"] = &model.Role{Name: "UpdateApp", Path: "/", TrustPolicy: trustDev, Owned: true}
	actual := model.NewState()
	actual.Account(prod.ID, "aws").Roles["updateapp"] = &model.Role{Name: "updateapp", Path: "/", TrustPolicy: trustDev}
	_, err := Diff(actual, desired, cfg)
	if err == nil {
		t.Fatal("an unowned role with the same name (in another case) was silently taken over")
	}
	for _, want := range []string{`role "UpdateApp" already exists`, "role.update_app (main.hcl:3,1)", "never takes over"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q: %v", want, err)
		}
	}
}

func TestDiffLeavesUnownedInlinePoliciesAlone(t *testing.T) {
	cfg := testConfig("s", dev)
	desired := model.NewState()
	desired.Account(dev.ID, "aws").Groups["developers"] = &model.Group{Name: "Developers", InlinePolicies: map[string]string{}}
	actual := model.NewState()
	actual.Account(dev.ID, "aws").Groups["developers"] = &model.Group{Name: "Developers", Path: "/", InlinePolicies: map[string]string{
		"handwritten":           bucketDoc,
		"trustform.s.grant.old": bucketDoc,
		"trustform.other.grant": bucketDoc,
	}}
	changes, err := Diff(actual, desired, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Action != model.Delete || changes[0].Key != model.InlineKey(dev.ID, model.KindGroup, "Developers", "trustform.s.grant.old") {
		t.Fatalf("want only the stack's own stale grant deleted, got %v", describeAll(changes))
	}
}
