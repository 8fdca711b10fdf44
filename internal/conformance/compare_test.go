package conformance

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/trustform/trustform/engine"
)

// The suite is only as good as its comparisons: these tests pin down what
// diffAccount forgives (the forms in which targets differ) and what it
// reports, and what foreign and needs decide.

func sampleAccount() *model.Account {
	a := model.NewAccount(productionID, "aws")
	a.Roles["worker"] = &model.Role{Name: "Worker", Path: "/", Description: "d", MaxSessionDuration: 3600,
		TrustPolicy: trust("arn:aws:iam::111111111111:root"), Tags: map[string]string{"team": "a"},
		AttachedPolicies: []string{readOnlyAccessARN, "arn:aws:iam::999999999999:policy/p"},
		InlinePolicies:   map[string]string{"notes": bucketPolicy("b")}}
	a.Policies["p"] = &model.ManagedPolicy{Name: "p", Path: "/", Description: "x", Document: bucketPolicy("p")}
	a.Groups["team"] = &model.Group{Name: "Team", Path: "/"}
	a.Users["uma"] = &model.User{Name: "Uma", Path: "/", Groups: []string{"Team"}}
	return a
}

func TestDiffAccount(t *testing.T) {
	tests := []struct {
		name   string
		change func(a *model.Account)
		want   []string // fragments of the findings, in order; none means equal
	}{
		{
			name:   "the same account",
			change: func(*model.Account) {},
		},
		{
			name: "documents in another form IAM accepts",
			change: func(a *model.Account) {
				r := a.Roles["worker"]
				// URL-encoded as IAM's read APIs return it, single values
				// instead of lists, a bare account id for its root.
				r.TrustPolicy = url.QueryEscape(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}}`)
				r.InlinePolicies["notes"] = strings.ReplaceAll(r.InlinePolicies["notes"], `"s3:`, `"S3:`)
			},
		},
		{
			name: "empty and nil collections, an unset path",
			change: func(a *model.Account) {
				a.Groups["team"].Path = ""
				a.Groups["team"].InlinePolicies = map[string]string{}
				a.Users["uma"].Tags = map[string]string{}
			},
		},
		{
			name: "managed policy tags, which trustform does not manage",
			change: func(a *model.Account) {
				a.Policies["p"].Tags = map[string]string{"team": "b"}
			},
		},
		{
			name: "attachments in another order",
			change: func(a *model.Account) {
				slices.Reverse(a.Roles["worker"].AttachedPolicies)
			},
		},
		{
			name: "a changed statement",
			change: func(a *model.Account) {
				a.Roles["worker"].TrustPolicy = trust("arn:aws:iam::222222222222:root")
			},
			want: []string{`role "Worker": trust_policy: want`},
		},
		{
			name: "every scalar field",
			change: func(a *model.Account) {
				r := a.Roles["worker"]
				r.Description, r.MaxSessionDuration, r.Path = "e", 7200, "/x/"
				a.Policies["p"].Description = "y"
			},
			want: []string{`role "Worker": path`, `role "Worker": description`, `role "Worker": max_session_duration`, `managed policy "p": description`},
		},
		{
			name: "tags changed, missing and unexpected",
			change: func(a *model.Account) {
				a.Roles["worker"].Tags = map[string]string{"team": "b"}
				a.Users["uma"].Tags = map[string]string{"extra": "1"}
			},
			want: []string{`role "Worker": tag "team": want "a", got "b"`, `user "Uma": tag "extra": unexpected`},
		},
		{
			name: "children lost",
			change: func(a *model.Account) {
				a.Roles["worker"].AttachedPolicies = a.Roles["worker"].AttachedPolicies[:1]
				delete(a.Roles["worker"].InlinePolicies, "notes")
				a.Users["uma"].Groups = nil
			},
			want: []string{`role "Worker": attached policies`, `role "Worker": inline policy "notes": missing`, `user "Uma": groups`},
		},
		{
			name: "objects missing and unexpected",
			change: func(a *model.Account) {
				delete(a.Groups, "team")
				a.Policies["q"] = &model.ManagedPolicy{Name: "q", Document: bucketPolicy("q")}
			},
			want: []string{`managed policy "q": unexpected`, `group "Team": missing`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, got := sampleAccount(), sampleAccount()
			tc.change(got)
			findings := diffAccount(want, got)
			if len(findings) != len(tc.want) {
				t.Fatalf("findings %q, want %d matching %q", findings, len(tc.want), tc.want)
			}
			for i, f := range findings {
				if !strings.Contains(f, tc.want[i]) {
					t.Errorf("finding %d is %q, want it to contain %q", i, f, tc.want[i])
				}
			}
		})
	}
}

func TestReadContract(t *testing.T) {
	tests := []struct {
		name   string
		change func(a *model.Account)
		want   string
	}{
		{"as the engine reads it", func(*model.Account) {}, ""},
		{"keyed by the name as written", func(a *model.Account) {
			a.Roles["Worker"] = a.Roles["worker"]
			delete(a.Roles, "worker")
		}, `role "Worker" is keyed "Worker"`},
		{"ownership marked by the target", func(a *model.Account) { a.Users["uma"].Owned = true }, `user "Uma" is read with Owned set`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := sampleAccount()
			tc.change(a)
			got := strings.Join(readContract(a), "\n")
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("readContract: %q, want %q", got, tc.want)
			}
		})
	}
}

// foreign must remove exactly what a stack owns: its principals and
// policies, and its grants and memberships on principals it does not own.
func TestForeign(t *testing.T) {
	a := sampleAccount()
	a.Roles["mine"] = &model.Role{Name: "Mine", Tags: map[string]string{ownership.OwnerTagKey: "s"}}
	a.Roles["theirs"] = &model.Role{Name: "Theirs", Tags: map[string]string{ownership.OwnerTagKey: "other"}}
	a.Policies["mine"] = &model.ManagedPolicy{Name: "mine", Description: "x " + ownership.PolicyOwnerMarker("s")}
	a.Groups["ops"] = &model.Group{Name: "Ops", Path: ownership.OwnedGroupPath("s")}
	a.Groups["team"].InlinePolicies = map[string]string{"trustform.s.grant.x": "{}", "trustform.other.grant.x": "{}", "handwritten": "{}"}
	a.Users["uma"].Groups = []string{"Ops", "Team"}

	got := foreign(a, "s")
	want := sampleAccount()
	want.Roles["theirs"] = a.Roles["theirs"].Clone()
	want.Groups["team"].InlinePolicies = map[string]string{"trustform.other.grant.x": "{}", "handwritten": "{}"}
	for _, d := range diffAccount(want, got) {
		t.Error(d)
	}
	if got := ownedObjects(a, "s"); !slices.Equal(got, []string{"group Ops", "inline policy trustform.s.grant.x of group Team", "managed policy mine", "role Mine"}) {
		t.Errorf("ownedObjects: %q", got)
	}
}

// unreadCleared must forget a role's description and maximum session
// duration exactly when the role carries no owner tag, whatever stack a tag
// names, and leave the account it is given alone.
func TestUnreadCleared(t *testing.T) {
	a := sampleAccount()
	a.Roles["theirs"] = &model.Role{Name: "Theirs", Description: "t", MaxSessionDuration: 7200, Tags: map[string]string{ownership.OwnerTagKey: "other"}}
	got := unreadCleared(a)
	if r := got.Roles["worker"]; r.Description != "" || r.MaxSessionDuration != 0 || r.Tags["team"] != "a" {
		t.Errorf("untagged role: %+v, want description and session cleared, the rest kept", *r)
	}
	if r := got.Roles["theirs"]; r.Description != "t" || r.MaxSessionDuration != 7200 {
		t.Errorf("role tagged for another stack: %+v, want description and session kept", *r)
	}
	if r := a.Roles["worker"]; r.Description != "d" || r.MaxSessionDuration != 3600 {
		t.Errorf("the account given was changed: %+v", *r)
	}
	want := sampleAccount()
	want.Roles["worker"].Description, want.Roles["worker"].MaxSessionDuration = "", 0
	want.Roles["theirs"] = a.Roles["theirs"].Clone()
	for _, d := range diffAccount(want, got) {
		t.Error(d)
	}
}

// needs decides which deletes must end before another starts; a mistake
// here would let the ordering check pass a target it should fail.
func TestNeeds(t *testing.T) {
	const acct = productionID
	ref := model.AccountRef{Name: "production", ID: acct}
	del := func(o model.Object) *model.Change {
		return newChange(model.Delete, &model.AccountConfig{Name: ref.Name, ID: acct}, o, nil)
	}
	role := del(&model.Role{Name: "Runner"})
	group := del(&model.Group{Name: "Crew"})
	user := del(&model.User{Name: "Uli"})
	pol := del(&model.ManagedPolicy{Name: "shared", Path: "/"})
	arn := model.PolicyARN("aws", acct, "/", "shared")
	grant := document(allow([]string{"sts:AssumeRole"}, model.RoleARN("aws", acct, "/", "runner")))

	tests := []struct {
		name          string
		child, parent *model.Change
		want          bool
	}{
		{"inline policy of the role", del(&model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "RUNNER", Name: "n"}), role, true},
		{"attachment to the group", del(&model.Attachment{PrincipalKind: model.KindGroup, PrincipalName: "Crew", PolicyARN: readOnlyAccessARN}), group, true},
		{"membership of the user", del(&model.Membership{User: "Uli", Group: "Crew"}), user, true},
		{"membership in the group", del(&model.Membership{User: "Uli", Group: "Crew"}), group, true},
		{"attachment of the policy", del(&model.Attachment{PrincipalKind: model.KindUser, PrincipalName: "Uli", PolicyARN: arn}), pol, true},
		{"grant naming the role", del(&model.InlinePolicy{PrincipalKind: model.KindGroup, PrincipalName: "Crew", Name: "g", Document: grant}), role, true},
		{"grant naming the role, to the group", del(&model.InlinePolicy{PrincipalKind: model.KindGroup, PrincipalName: "Crew", Name: "g", Document: grant}), group, true},
		{"inline policy of another principal", del(&model.InlinePolicy{PrincipalKind: model.KindUser, PrincipalName: "Runner", Name: "n"}), role, false},
		{"attachment of another policy", del(&model.Attachment{PrincipalKind: model.KindRole, PrincipalName: "Runner", PolicyARN: readOnlyAccessARN}), pol, false},
		{"a principal and another principal", user, group, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := needs(tc.child, tc.parent); got != tc.want {
				t.Fatalf("needs(%s, %s) = %v, want %v", engine.Describe(tc.child), engine.Describe(tc.parent), got, tc.want)
			}
		})
	}
}
