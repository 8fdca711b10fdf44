package engine

import (
	"slices"
	"strings"
	"testing"
)

func testConfig(stack string, accounts ...AccountRef) *Config {
	cfg := &Config{Stack: StackConfig{Name: stack}}
	for _, a := range accounts {
		cfg.Accounts = append(cfg.Accounts, &AccountConfig{Address: "account." + a.Name, Name: a.Name, ID: a.ID, Partition: "aws"})
	}
	return cfg
}

var (
	dev  = AccountRef{Name: "development", ID: "111111111111", Partition: "aws"}
	prod = AccountRef{Name: "production", ID: "999999999999", Partition: "aws"}
)

const trustDev = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`
const bucketDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`

// position finds a change by a description of it.
func position(t *testing.T, changes []*Change, action Action, key Key) int {
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
	roleARN := RoleARN("aws", prod.ID, "/", "UpdateApp")
	policyARN := PolicyARN("aws", prod.ID, "/", "rw")
	grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleARN + `"}]}`

	desired := NewState()
	p := desired.Account(prod.ID, "aws")
	p.Policies["rw"] = &ManagedPolicy{Name: "rw", Path: "/", Description: PolicyDescription("", "s"), Document: bucketDoc, Tags: map[string]string{OwnerTagKey: "s"}, Owned: true}
	p.Roles["updateapp"] = &Role{Name: "UpdateApp", Path: "/", TrustPolicy: trustDev, MaxSessionDuration: 3600, Tags: map[string]string{OwnerTagKey: "s"},
		AttachedPolicies: []string{policyARN}, InlinePolicies: map[string]string{}, Owned: true}
	d := desired.Account(dev.ID, "aws")
	d.Groups["developers"] = &Group{Name: "Developers", InlinePolicies: map[string]string{"trustform.s.grant.g": grant}}

	actual := NewState()
	a := actual.Account(dev.ID, "aws")
	a.Groups["developers"] = &Group{Name: "Developers", Path: "/", InlinePolicies: map[string]string{}}
	actual.Account(prod.ID, "aws")

	changes, err := Diff(actual, desired, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ordered := Order(changes)
	role := position(t, ordered, Create, PrincipalKey(prod.ID, KindRole, "UpdateApp"))
	pol := position(t, ordered, Create, PolicyKey(prod.ID, "rw"))
	att := position(t, ordered, Create, AttachmentKey(prod.ID, KindRole, "UpdateApp", policyARN))
	gr := position(t, ordered, Create, InlineKey(dev.ID, KindGroup, "Developers", "trustform.s.grant.g"))
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
	MarkOwnership(applied.Accounts[prod.ID], "s")
	destroy, err := Diff(applied, NewState(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ordered = Order(destroy)
	role = position(t, ordered, Delete, PrincipalKey(prod.ID, KindRole, "UpdateApp"))
	pol = position(t, ordered, Delete, PolicyKey(prod.ID, "rw"))
	att = position(t, ordered, Delete, AttachmentKey(prod.ID, KindRole, "UpdateApp", policyARN))
	gr = position(t, ordered, Delete, InlineKey(dev.ID, KindGroup, "Developers", "trustform.s.grant.g"))
	if !(att < role && att < pol && gr < role) {
		t.Fatalf("wrong delete order: attachment %d role %d policy %d grant %d", att, role, pol, gr)
	}
	if len(ordered) != 4 {
		t.Fatalf("destroy touches %d objects, want 4 (the unowned group stays): %v", len(ordered), describeAll(ordered))
	}
}

func TestOrderIsDeterministic(t *testing.T) {
	desired := NewState()
	p := desired.Account(prod.ID, "aws")
	for _, n := range []string{"c", "a", "b", "e", "d"} {
		p.Roles[n] = &Role{Name: n, Path: "/", TrustPolicy: trustDev, MaxSessionDuration: 3600, InlinePolicies: map[string]string{"x": bucketDoc}, Owned: true}
	}
	cfg := testConfig("s", prod)
	var first []string
	for range 20 {
		changes, err := Diff(NewState(), desired, cfg)
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

func describeAll(cs []*Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = Describe(c)
	}
	return out
}

func TestDiffRefusesToTakeOverUnownedObjects(t *testing.T) {
	cfg := testConfig("s", prod)
	cfg.Roles = []*RoleConfig{{Address: "role.update_app", Account: prod.ID, Name: "UpdateApp", Source: Source{Filename: "main.hcl", Line: 3, Column: 1}}}
	desired := NewState()
	desired.Account(prod.ID, "aws").Roles["updateapp"] = &Role{Name: "UpdateApp", Path: "/", TrustPolicy: trustDev, Owned: true}
	actual := NewState()
	actual.Account(prod.ID, "aws").Roles["updateapp"] = &Role{Name: "updateapp", Path: "/", TrustPolicy: trustDev}
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
	desired := NewState()
	desired.Account(dev.ID, "aws").Groups["developers"] = &Group{Name: "Developers", InlinePolicies: map[string]string{}}
	actual := NewState()
	actual.Account(dev.ID, "aws").Groups["developers"] = &Group{Name: "Developers", Path: "/", InlinePolicies: map[string]string{
		"handwritten":           bucketDoc,
		"trustform.s.grant.old": bucketDoc,
		"trustform.other.grant": bucketDoc,
	}}
	changes, err := Diff(actual, desired, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Action != Delete || changes[0].Key != InlineKey(dev.ID, KindGroup, "Developers", "trustform.s.grant.old") {
		t.Fatalf("want only the stack's own stale grant deleted, got %v", describeAll(changes))
	}
}
