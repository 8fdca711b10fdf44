package local

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine"
)

// TestApplyReadBack applies every kind and action of change, in an order a
// plan could have, and reads the account back after each step.
func TestApplyReadBack(t *testing.T) {
	p := openTemp(t)
	rwDoc := allow("s3:GetObject", "arn:aws:s3:::productionapp/*")
	rwDoc2 := allow("s3:*", "arn:aws:s3:::productionapp/*")
	rwARN := "arn:aws:iam::999999999999:policy/read-write-app-bucket"
	pol := &engine.ManagedPolicy{Name: "read-write-app-bucket", Document: rwDoc, Tags: map[string]string{"team": "platform"}}
	pol2 := &engine.ManagedPolicy{Name: "read-write-app-bucket", Document: rwDoc2, Tags: map[string]string{"owner": "ops"}}
	// Policies on a role, group or user change travel as changes of their
	// own; the ones set here must be ignored.
	up := &engine.Role{Name: "UpdateApp", TrustPolicy: trust(devRoot), Tags: map[string]string{"team": "platform", "old": "x"},
		AttachedPolicies: []string{adminARN}, InlinePolicies: map[string]string{"x": allow("s3:*", "*")}}
	up2 := &engine.Role{Name: "UpdateApp", Description: "updates the app", MaxSessionDuration: 7200,
		TrustPolicy: trust(devRoot, "arn:aws:iam::111111111111:user/David"), Tags: map[string]string{"team": "apps", "new": "y"}}
	david := &engine.User{Name: "David", Groups: []string{"Testers"}, AttachedPolicies: []string{adminARN}}
	david2 := &engine.User{Name: "David", Path: "/people/", Tags: map[string]string{"email": "d@example.com"}}
	devs := &engine.Group{Name: "Developers"}
	devs2 := &engine.Group{Name: "Developers", Path: "/trustform/devprod/"}
	grant := inline(engine.KindGroup, "Developers", "trustform.devprod.grant", allow("sts:AssumeRole", "arn:aws:iam::999999999999:role/UpdateApp"))
	notes := inline(engine.KindRole, "UpdateApp", "notes", allow("s3:ListBucket", "arn:aws:s3:::productionapp"))
	notes2 := inline(engine.KindRole, "UpdateApp", "notes", allow("s3:ListBucket", "arn:aws:s3:::other"))
	member := &engine.Membership{User: "David", Group: "Developers"}

	steps := []struct {
		name  string
		c     change
		check func(t *testing.T, devAcct, prodAcct *engine.Account)
	}{
		{"create policy", create(prod, engine.KindPolicy, pol), func(t *testing.T, _, a *engine.Account) {
			got := a.Policies["read-write-app-bucket"]
			want := &engine.ManagedPolicy{Name: "read-write-app-bucket", Path: "/", Document: rwDoc, Tags: map[string]string{"team": "platform"}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("policy = %+v, want %+v", got, want)
			}
		}},
		{"create role", create(prod, engine.KindRole, up), func(t *testing.T, _, a *engine.Account) {
			got := a.Roles["updateapp"]
			want := &engine.Role{Name: "UpdateApp", Path: "/", TrustPolicy: trust(devRoot), MaxSessionDuration: 3600,
				Tags: map[string]string{"team": "platform", "old": "x"}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("role = %+v, want %+v", got, want)
			}
		}},
		{"create user", create(dev, engine.KindUser, david), func(t *testing.T, a, _ *engine.Account) {
			if got := a.Users["david"]; got == nil || got.Name != "David" || got.Path != "/" || got.Groups != nil || got.AttachedPolicies != nil {
				t.Errorf("user = %+v", got)
			}
		}},
		{"update role", update(prod, engine.KindRole, up, up2), func(t *testing.T, _, a *engine.Account) {
			got := a.Roles["updateapp"]
			if got.Description != "updates the app" || got.MaxSessionDuration != 7200 || got.TrustPolicy != up2.TrustPolicy {
				t.Errorf("role = %+v", got)
			}
			if want := map[string]string{"team": "apps", "new": "y"}; !maps.Equal(got.Tags, want) {
				t.Errorf("tags = %v, want %v", got.Tags, want)
			}
		}},
		{"attach customer policy to role", create(prod, engine.KindAttachment, attachment(engine.KindRole, "UpdateApp", rwARN)), nil},
		{"attach AWS managed policy to role", create(prod, engine.KindAttachment, attachment(engine.KindRole, "updateapp", readOnlyARN)),
			func(t *testing.T, _, a *engine.Account) {
				if got, want := a.Roles["updateapp"].AttachedPolicies, []string{rwARN, readOnlyARN}; !slices.Equal(got, want) {
					t.Errorf("attached = %v, want %v (sorted)", got, want)
				}
			}},
		{"put role inline policy", create(prod, engine.KindInline, notes), nil},
		{"update role inline policy", update(prod, engine.KindInline, notes, notes2), func(t *testing.T, _, a *engine.Account) {
			if got := a.Roles["updateapp"].InlinePolicies; !maps.Equal(got, map[string]string{"notes": notes2.Document}) {
				t.Errorf("inline = %v", got)
			}
		}},
		{"create group", create(dev, engine.KindGroup, devs), nil},
		{"add user to group", create(dev, engine.KindMembership, member), func(t *testing.T, a, _ *engine.Account) {
			if got := a.Users["david"].Groups; !slices.Equal(got, []string{"Developers"}) {
				t.Errorf("groups = %v", got)
			}
		}},
		{"put group inline policy", create(dev, engine.KindInline, grant), nil},
		{"attach policy to user", create(dev, engine.KindAttachment, attachment(engine.KindUser, "David", powerARN)), nil},
		{"attach policy to group", create(dev, engine.KindAttachment, attachment(engine.KindGroup, "Developers", adminARN)),
			func(t *testing.T, a, _ *engine.Account) {
				g := a.Groups["developers"]
				if !slices.Equal(g.AttachedPolicies, []string{adminARN}) || g.InlinePolicies[grant.Name] != grant.Document {
					t.Errorf("group = %+v", g)
				}
				if !slices.Equal(a.Users["david"].AttachedPolicies, []string{powerARN}) {
					t.Errorf("user = %+v", a.Users["david"])
				}
			}},
		{"update user", update(dev, engine.KindUser, david, david2), func(t *testing.T, a, _ *engine.Account) {
			u := a.Users["david"]
			if u.Path != "/people/" || u.Tags["email"] != "d@example.com" {
				t.Errorf("user = %+v", u)
			}
		}},
		{"update group path", update(dev, engine.KindGroup, devs, devs2), func(t *testing.T, a, _ *engine.Account) {
			if got := a.Groups["developers"].Path; got != "/trustform/devprod/" {
				t.Errorf("path = %q", got)
			}
		}},
		{"update policy", update(prod, engine.KindPolicy, pol, pol2), func(t *testing.T, _, a *engine.Account) {
			got := a.Policies["read-write-app-bucket"]
			if got.Document != rwDoc2 || !maps.Equal(got.Tags, map[string]string{"owner": "ops"}) {
				t.Errorf("policy = %+v", got)
			}
			vs := p.sim.accounts[prodID].policies["read-write-app-bucket"].versions
			if len(vs) != 2 || vs[0].id != "v1" || vs[0].isDefault || vs[1].id != "v2" || !vs[1].isDefault {
				t.Errorf("versions = %+v, want v1 and default v2", vs)
			}
		}},
		{"detach from user", remove(dev, engine.KindAttachment, attachment(engine.KindUser, "David", powerARN)), nil},
		{"detach from group", remove(dev, engine.KindAttachment, attachment(engine.KindGroup, "Developers", adminARN)), nil},
		{"delete group inline policy", remove(dev, engine.KindInline, grant), nil},
		{"remove user from group", remove(dev, engine.KindMembership, member), nil},
		{"delete user", remove(dev, engine.KindUser, david2), nil},
		{"delete group", remove(dev, engine.KindGroup, devs2), func(t *testing.T, a, _ *engine.Account) {
			if len(a.Users)+len(a.Groups) != 0 {
				t.Errorf("development not empty: %+v %+v", a.Users, a.Groups)
			}
		}},
		{"detach customer policy from role", remove(prod, engine.KindAttachment, attachment(engine.KindRole, "UpdateApp", rwARN)), nil},
		{"detach AWS managed policy from role", remove(prod, engine.KindAttachment, attachment(engine.KindRole, "UpdateApp", readOnlyARN)), nil},
		{"delete role inline policy", remove(prod, engine.KindInline, notes2), nil},
		{"delete role", remove(prod, engine.KindRole, up2), nil},
		{"delete policy", remove(prod, engine.KindPolicy, pol2), func(t *testing.T, _, a *engine.Account) {
			if len(a.Roles)+len(a.Policies) != 0 {
				t.Errorf("production not empty: %+v %+v", a.Roles, a.Policies)
			}
		}},
	}
	for _, step := range steps {
		if err := apply(p, step.c); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if step.check != nil {
			t.Run(step.name, func(t *testing.T) { step.check(t, read(t, p, dev), read(t, p, prod)) })
		}
	}
}

// TestReadContract covers what Read promises besides content: an unknown
// account reads as empty, results are copies, and ownership is left unset.
func TestReadContract(t *testing.T) {
	p := openTemp(t)
	r := role("UpdateApp", trust(devRoot))
	r.Owned = true
	r.Tags = map[string]string{engine.OwnerTagKey: "devprod"}
	mustApply(t, p, create(prod, engine.KindRole, r))

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"unknown account reads as empty", func(t *testing.T) {
			a := read(t, p, &engine.AccountConfig{ID: "222222222222"})
			if a.ID != "222222222222" || a.Partition != "aws" || len(a.Roles)+len(a.Users)+len(a.Groups)+len(a.Policies) != 0 {
				t.Errorf("got %+v", a)
			}
		}},
		{"owned is left unset", func(t *testing.T) {
			if read(t, p, prod).Roles["updateapp"].Owned {
				t.Error("Read set Owned; marking ownership is the engine's job")
			}
		}},
		{"result is a deep copy", func(t *testing.T) {
			a := read(t, p, prod)
			a.Roles["updateapp"].Tags["x"] = "y"
			a.Roles["updateapp"].Name = "changed"
			if b := read(t, p, prod).Roles["updateapp"]; b.Name != "UpdateApp" || b.Tags["x"] != "" {
				t.Errorf("mutating a Read result changed the simulation: %+v", b)
			}
		}},
		{"invalid account id is refused", func(t *testing.T) {
			if _, err := p.Read(context.Background(), &engine.AccountConfig{ID: "12345"}); err == nil {
				t.Error("no error")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.check)
	}
}

func TestIdentityAndDescribe(t *testing.T) {
	p := openTemp(t)
	tests := []struct {
		name    string
		acct    *engine.AccountConfig
		want    engine.Identity
		wantErr bool
	}{
		{"aws partition by default", dev, engine.Identity{Account: devID, ARN: "arn:aws:iam::111111111111:root"}, false},
		{"other partition", &engine.AccountConfig{ID: "222222222222", Partition: "aws-cn"},
			engine.Identity{Account: "222222222222", ARN: "arn:aws-cn:iam::222222222222:root"}, false},
		{"partition mismatch with a held account", &engine.AccountConfig{ID: devID, Partition: "aws-us-gov"}, engine.Identity{}, true},
		{"bad account id", &engine.AccountConfig{ID: "abc"}, engine.Identity{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.Identity(context.Background(), tt.acct)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Identity = %+v, %v; want %+v (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
	if got := p.Describe(); !strings.HasPrefix(got, "local simulation in ") || !strings.HasSuffix(got, ".trustform") {
		t.Errorf("Describe = %q", got)
	}
}

// TestPolicyVersions: updates keep at most five versions by deleting the
// oldest non-default one, and CreatePolicyVersion itself refuses a sixth.
func TestPolicyVersions(t *testing.T) {
	p := openTemp(t)
	docs := make([]string, 8)
	for i := range docs {
		docs[i] = allow("s3:GetObject", "arn:aws:s3:::bucket"+strings.Repeat("x", i))
	}
	mustApply(t, p, create(prod, engine.KindPolicy, &engine.ManagedPolicy{Name: "p", Document: docs[0]}))
	for i := 1; i < len(docs); i++ {
		mustApply(t, p, update(prod, engine.KindPolicy,
			&engine.ManagedPolicy{Name: "p", Document: docs[i-1]}, &engine.ManagedPolicy{Name: "p", Document: docs[i]}))
	}
	sp := p.sim.accounts[prodID].policies["p"]
	var ids []string
	for _, v := range sp.versions {
		ids = append(ids, v.id)
	}
	if want := []string{"v4", "v5", "v6", "v7", "v8"}; !slices.Equal(ids, want) {
		t.Errorf("versions = %v, want %v", ids, want)
	}
	if d := sp.defaultVersion(); d.id != "v8" || d.document != docs[7] {
		t.Errorf("default = %+v, want v8", d)
	}

	tests := []struct {
		name string
		run  func(s *sim, a *simAccount) error
		code string
	}{
		{"sixth version", func(s *sim, a *simAccount) error { return s.createPolicyVersion(a, "p", docs[0], false) }, CodeLimitExceeded},
		{"delete default version", func(s *sim, a *simAccount) error { return s.deletePolicyVersion(a, "p", "v8") }, CodeDeleteConflict},
		{"delete missing version", func(s *sim, a *simAccount) error { return s.deletePolicyVersion(a, "p", "v1") }, CodeNoSuchEntity},
		{"version of missing policy", func(s *sim, a *simAccount) error { return s.createPolicyVersion(a, "nope", docs[0], true) }, CodeNoSuchEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := p.sim.clone()
			if err := tt.run(s, s.accounts[prodID]); codeOf(err) != tt.code {
				t.Errorf("error = %v, want code %s", err, tt.code)
			}
		})
	}

	// Deleting the policy deletes its old versions first, as IAM requires.
	mustApply(t, p, remove(prod, engine.KindPolicy, &engine.ManagedPolicy{Name: "p", Document: docs[7]}))
	if len(read(t, p, prod).Policies) != 0 {
		t.Error("policy not deleted")
	}
}

// TestDeletedPrincipalInTrust: deleting a trusted user turns the principal
// into its unique ID, as on AWS, and re-creating the user does not restore
// the trust until the trust policy is saved again.
func TestDeletedPrincipalInTrust(t *testing.T) {
	p := openTemp(t)
	davidARN := "arn:aws:iam::111111111111:user/David"
	r := role("UpdateApp", trust(davidARN))
	mustApply(t, p,
		create(dev, engine.KindUser, &engine.User{Name: "David"}),
		create(prod, engine.KindRole, r),
		remove(dev, engine.KindUser, &engine.User{Name: "David"}),
	)
	got := read(t, p, prod).Roles["updateapp"].TrustPolicy
	if strings.Contains(got, davidARN) || !strings.Contains(got, `"AIDA`) {
		t.Fatalf("trust after deleting David = %s; want David's unique ID in place of his ARN", got)
	}
	mustApply(t, p,
		create(dev, engine.KindUser, &engine.User{Name: "David"}),
		update(prod, engine.KindRole, &engine.Role{Name: "UpdateApp", TrustPolicy: got}, r),
	)
	if got := read(t, p, prod).Roles["updateapp"].TrustPolicy; got != r.TrustPolicy {
		t.Errorf("trust = %s, want %s", got, r.TrustPolicy)
	}
	// The re-created user has a new unique ID.
	if a, b := p.sim.accounts[devID].users["david"].uniqueID, got; strings.Contains(b, a) {
		t.Errorf("re-created user reuses unique ID %s", a)
	}
}

// TestMalformedChanges: a change that does not carry what its action needs
// is a caller bug, reported without touching the simulation.
func TestMalformedChanges(t *testing.T) {
	p := openTemp(t)
	tests := []struct {
		name string
		ch   *engine.Change
	}{
		{"create without After", mkChange(engine.Create, engine.KindRole, prod, nil, nil)},
		{"delete without Before", mkChange(engine.Delete, engine.KindGroup, prod, nil, &engine.Group{Name: "g"})},
		{"update without Before", mkChange(engine.Update, engine.KindUser, prod, nil, &engine.User{Name: "u"})},
		{"wrong object type", mkChange(engine.Create, engine.KindRole, prod, nil, &engine.Group{Name: "g"})},
		{"typed nil", mkChange(engine.Create, engine.KindRole, prod, nil, (*engine.Role)(nil))},
		{"update of an attachment", mkChange(engine.Update, engine.KindAttachment, prod,
			attachment(engine.KindRole, "r", adminARN), attachment(engine.KindRole, "r", powerARN))},
		{"unknown kind", mkChange(engine.Create, engine.Kind("bucket"), prod, nil, &engine.Group{Name: "g"})},
		{"account mismatch", mkChange(engine.Create, engine.KindGroup, dev, nil, &engine.Group{Name: "g"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Apply(context.Background(), prod, tt.ch)
			if err == nil || codeOf(err) != "" {
				t.Errorf("error = %v, want a plain error", err)
			}
		})
	}
	if n := len(read(t, p, prod).Groups); n != 0 {
		t.Errorf("%d groups created by malformed changes", n)
	}
}
