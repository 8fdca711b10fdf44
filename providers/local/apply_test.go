package local

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/trustform/trustform/engine"
)

// TestApplyReadBack applies every kind and action of change, in an order a
// plan could have, and reads the account back after each step.
func TestApplyReadBack(t *testing.T) {
	p := openTemp(t)
	rwDoc := allow("s3:GetObject", "arn:aws:s3:::productionapp/*")
	rwDoc2 := allow("s3:*", "arn:aws:s3:::productionapp/*")
	rwARN := "arn:aws:iam::999999999999:policy/read-write-app-bucket"
	pol := &model.ManagedPolicy{Name: "read-write-app-bucket", Document: rwDoc, Tags: map[string]string{"team": "platform"}}
	pol2 := &model.ManagedPolicy{Name: "read-write-app-bucket", Document: rwDoc2, Tags: map[string]string{"owner": "ops"}}
	// Policies on a role, group or user change travel as changes of their
	// own; the ones set here must be ignored.
	up := &model.Role{Name: "UpdateApp", TrustPolicy: trust(devRoot), Tags: map[string]string{"team": "platform", "old": "x"},
		AttachedPolicies: []string{adminARN}, InlinePolicies: map[string]string{"x": allow("s3:*", "*")}}
	up2 := &model.Role{Name: "UpdateApp", Description: "updates the app", MaxSessionDuration: 7200,
		TrustPolicy: trust(devRoot, "arn:aws:iam::111111111111:user/David"), Tags: map[string]string{"team": "apps", "new": "y"}}
	david := &model.User{Name: "David", Groups: []string{"Testers"}, AttachedPolicies: []string{adminARN}}
	david2 := &model.User{Name: "David", Path: "/people/", Tags: map[string]string{"email": "d@example.com"}}
	devs := &model.Group{Name: "Developers"}
	devs2 := &model.Group{Name: "Developers", Path: "/trustform/devprod/"}
	grant := inline(model.KindGroup, "Developers", "trustform.devprod.grant", allow("sts:AssumeRole", "arn:aws:iam::999999999999:role/UpdateApp"))
	notes := inline(model.KindRole, "UpdateApp", "notes", allow("s3:ListBucket", "arn:aws:s3:::productionapp"))
	notes2 := inline(model.KindRole, "UpdateApp", "notes", allow("s3:ListBucket", "arn:aws:s3:::other"))
	member := &model.Membership{User: "David", Group: "Developers"}

	steps := []struct {
		name  string
		c     change
		check func(t *testing.T, devAcct, prodAcct *model.Account)
	}{
		{"create policy", create(prod, model.KindPolicy, pol), func(t *testing.T, _, a *model.Account) {
			got := a.Policies["read-write-app-bucket"]
			want := &model.ManagedPolicy{Name: "read-write-app-bucket", Path: "/", Document: rwDoc, Tags: map[string]string{"team": "platform"}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("policy = %+v, want %+v", got, want)
			}
		}},
		{"create role", create(prod, model.KindRole, up), func(t *testing.T, _, a *model.Account) {
			got := a.Roles["updateapp"]
			want := &model.Role{Name: "UpdateApp", Path: "/", TrustPolicy: trust(devRoot), MaxSessionDuration: 3600,
				Tags: map[string]string{"team": "platform", "old": "x"}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("role = %+v, want %+v", got, want)
			}
		}},
		{"create user", create(dev, model.KindUser, david), func(t *testing.T, a, _ *model.Account) {
			if got := a.Users["david"]; got == nil || got.Name != "David" || got.Path != "/" || got.Groups != nil || got.AttachedPolicies != nil {
				t.Errorf("user = %+v", got)
			}
		}},
		{"update role", update(prod, model.KindRole, up, up2), func(t *testing.T, _, a *model.Account) {
			got := a.Roles["updateapp"]
			if got.Description != "updates the app" || got.MaxSessionDuration != 7200 || got.TrustPolicy != up2.TrustPolicy {
				t.Errorf("role = %+v", got)
			}
			if want := map[string]string{"team": "apps", "new": "y"}; !maps.Equal(got.Tags, want) {
				t.Errorf("tags = %v, want %v", got.Tags, want)
			}
		}},
		{"attach customer policy to role", create(prod, model.KindAttachment, attachment(model.KindRole, "UpdateApp", rwARN)), nil},
		{"attach AWS managed policy to role", create(prod, model.KindAttachment, attachment(model.KindRole, "updateapp", readOnlyARN)),
			func(t *testing.T, _, a *model.Account) {
				if got, want := a.Roles["updateapp"].AttachedPolicies, []string{rwARN, readOnlyARN}; !slices.Equal(got, want) {
					t.Errorf("attached = %v, want %v (sorted)", got, want)
				}
			}},
		{"put role inline policy", create(prod, model.KindInline, notes), nil},
		{"update role inline policy", update(prod, model.KindInline, notes, notes2), func(t *testing.T, _, a *model.Account) {
			if got := a.Roles["updateapp"].InlinePolicies; !maps.Equal(got, map[string]string{"notes": notes2.Document}) {
				t.Errorf("inline = %v", got)
			}
		}},
		{"create group", create(dev, model.KindGroup, devs), nil},
		{"add user to group", create(dev, model.KindMembership, member), func(t *testing.T, a, _ *model.Account) {
			if got := a.Users["david"].Groups; !slices.Equal(got, []string{"Developers"}) {
				t.Errorf("groups = %v", got)
			}
		}},
		{"put group inline policy", create(dev, model.KindInline, grant), nil},
		{"attach policy to user", create(dev, model.KindAttachment, attachment(model.KindUser, "David", powerARN)), nil},
		{"attach policy to group", create(dev, model.KindAttachment, attachment(model.KindGroup, "Developers", adminARN)),
			func(t *testing.T, a, _ *model.Account) {
				g := a.Groups["developers"]
				if !slices.Equal(g.AttachedPolicies, []string{adminARN}) || g.InlinePolicies[grant.Name] != grant.Document {
					t.Errorf("group = %+v", g)
				}
				if !slices.Equal(a.Users["david"].AttachedPolicies, []string{powerARN}) {
					t.Errorf("user = %+v", a.Users["david"])
				}
			}},
		{"update user", update(dev, model.KindUser, david, david2), func(t *testing.T, a, _ *model.Account) {
			u := a.Users["david"]
			if u.Path != "/people/" || u.Tags["email"] != "d@example.com" {
				t.Errorf("user = %+v", u)
			}
		}},
		{"update group path", update(dev, model.KindGroup, devs, devs2), func(t *testing.T, a, _ *model.Account) {
			if got := a.Groups["developers"].Path; got != "/trustform/devprod/" {
				t.Errorf("path = %q", got)
			}
		}},
		{"update policy", update(prod, model.KindPolicy, pol, pol2), func(t *testing.T, _, a *model.Account) {
			got := a.Policies["read-write-app-bucket"]
			if got.Document != rwDoc2 || !maps.Equal(got.Tags, map[string]string{"owner": "ops"}) {
				t.Errorf("policy = %+v", got)
			}
			vs := p.sim.accounts[prodID].policies["read-write-app-bucket"].versions
			if len(vs) != 2 || vs[0].id != "v1" || vs[0].isDefault || vs[1].id != "v2" || !vs[1].isDefault {
				t.Errorf("versions = %+v, want v1 and default v2", vs)
			}
		}},
		{"detach from user", remove(dev, model.KindAttachment, attachment(model.KindUser, "David", powerARN)), nil},
		{"detach from group", remove(dev, model.KindAttachment, attachment(model.KindGroup, "Developers", adminARN)), nil},
		{"delete group inline policy", remove(dev, model.KindInline, grant), nil},
		{"remove user from group", remove(dev, model.KindMembership, member), nil},
		{"delete user", remove(dev, model.KindUser, david2), nil},
		{"delete group", remove(dev, model.KindGroup, devs2), func(t *testing.T, a, _ *model.Account) {
			if len(a.Users)+len(a.Groups) != 0 {
				t.Errorf("development not empty: %+v %+v", a.Users, a.Groups)
			}
		}},
		{"detach customer policy from role", remove(prod, model.KindAttachment, attachment(model.KindRole, "UpdateApp", rwARN)), nil},
		{"detach AWS managed policy from role", remove(prod, model.KindAttachment, attachment(model.KindRole, "UpdateApp", readOnlyARN)), nil},
		{"delete role inline policy", remove(prod, model.KindInline, notes2), nil},
		{"delete role", remove(prod, model.KindRole, up2), nil},
		{"delete policy", remove(prod, model.KindPolicy, pol2), func(t *testing.T, _, a *model.Account) {
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
	r.Tags = map[string]string{ownership.OwnerTagKey: "devprod"}
	mustApply(t, p, create(prod, model.KindRole, r))

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"unknown account reads as empty", func(t *testing.T) {
			a := read(t, p, &model.AccountConfig{ID: "222222222222"})
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
			if _, err := p.Read(context.Background(), &model.AccountConfig{ID: "12345"}); err == nil {
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
		acct    *model.AccountConfig
		want    engine.Identity
		wantErr bool
	}{
		{"aws partition by default", dev, engine.Identity{Account: devID, ARN: "arn:aws:iam::111111111111:root"}, false},
		{"other partition", &model.AccountConfig{ID: "222222222222", Partition: "aws-cn"},
			engine.Identity{Account: "222222222222", ARN: "arn:aws-cn:iam::222222222222:root"}, false},
		{"partition mismatch with a held account", &model.AccountConfig{ID: devID, Partition: "aws-us-gov"}, engine.Identity{}, true},
		{"bad account id", &model.AccountConfig{ID: "abc"}, engine.Identity{}, true},
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
	mustApply(t, p, create(prod, model.KindPolicy, &model.ManagedPolicy{Name: "p", Document: docs[0]}))
	for i := 1; i < len(docs); i++ {
		mustApply(t, p, update(prod, model.KindPolicy,
			&model.ManagedPolicy{Name: "p", Document: docs[i-1]}, &model.ManagedPolicy{Name: "p", Document: docs[i]}))
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
	mustApply(t, p, remove(prod, model.KindPolicy, &model.ManagedPolicy{Name: "p", Document: docs[7]}))
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
		create(dev, model.KindUser, &model.User{Name: "David"}),
		create(prod, model.KindRole, r),
		remove(dev, model.KindUser, &model.User{Name: "David"}),
	)
	got := read(t, p, prod).Roles["updateapp"].TrustPolicy
	if strings.Contains(got, davidARN) || !strings.Contains(got, `"AIDA`) {
		t.Fatalf("trust after deleting David = %s; want David's unique ID in place of his ARN", got)
	}
	mustApply(t, p,
		create(dev, model.KindUser, &model.User{Name: "David"}),
		update(prod, model.KindRole, &model.Role{Name: "UpdateApp", TrustPolicy: got}, r),
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
		ch   *model.Change
	}{
		{"create without After", mkChange(model.Create, model.KindRole, prod, nil, nil)},
		{"delete without Before", mkChange(model.Delete, model.KindGroup, prod, nil, &model.Group{Name: "g"})},
		{"update without Before", mkChange(model.Update, model.KindUser, prod, nil, &model.User{Name: "u"})},
		{"wrong object type", mkChange(model.Create, model.KindRole, prod, nil, &model.Group{Name: "g"})},
		{"typed nil", mkChange(model.Create, model.KindRole, prod, nil, (*model.Role)(nil))},
		{"update of an attachment", mkChange(model.Update, model.KindAttachment, prod,
			attachment(model.KindRole, "r", adminARN), attachment(model.KindRole, "r", powerARN))},
		{"unknown kind", mkChange(model.Create, model.Kind("bucket"), prod, nil, &model.Group{Name: "g"})},
		{"account mismatch", mkChange(model.Create, model.KindGroup, dev, nil, &model.Group{Name: "g"})},
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
