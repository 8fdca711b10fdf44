package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

// developersGroup is the tutorial's pre-existing group as IAM holds it.
func developersGroup() *model.Group {
	return &model.Group{Name: "Developers", Path: "/", AttachedPolicies: []string{"arn:aws:iam::aws:policy/PowerUserAccess"}, InlinePolicies: map[string]string{}}
}

// adoptedDevelopers is the same group declared with adopt = true.
func adoptedDevelopers() *model.Group {
	g := developersGroup()
	g.Owned, g.Adopt = true, true
	return g
}

// opsGroup is a group at stack s's path, as read (Owned unset: MarkOwnership
// sets it) or as declared (owned).
func opsGroup(declared bool) *model.Group {
	return &model.Group{Name: "Ops", Path: ownership.OwnedGroupPath("s"), InlinePolicies: map[string]string{}, Owned: declared}
}

// othersUser is a user stack "other" owns, in the groups given, as read.
func othersUser(groups ...string) *model.User {
	return &model.User{Name: "Olga", Path: "/", Groups: groups, Tags: map[string]string{ownership.OwnerTagKey: "other"}, InlinePolicies: map[string]string{}}
}

func ledgerOf(stack string, arns ...string) *model.ManagedPolicy {
	l := ownership.Ledgers(stack, "aws", dev.ID, arns)[0]
	return l
}

// TestAdoptionClaims diffs what a stack owns, adopts, releases and leaves
// to other stacks.
func TestAdoptionClaims(t *testing.T) {
	groupARN := model.GroupARN("aws", dev.ID, "/", "Developers")
	tests := []struct {
		name    string
		actual  func(a *model.Account)
		desired func(a *model.Account)
		wantErr string   // substring of the plan error, if it must fail
		want    []string // action kind name, in any order
		ledger  []string // ARNs the ledger must list after the plan, nil for no ledger change
		// first and then, when set, are two of want that the ordered plan
		// must hold in this order.
		first, then string
	}{
		{
			name:    "an unowned group without adopt is refused, and the message names adopt",
			actual:  func(a *model.Account) { a.Groups["developers"] = developersGroup() },
			desired: func(a *model.Account) { g := adoptedDevelopers(); g.Adopt = false; a.Groups["developers"] = g },
			wantErr: "adopt it (adopt = true",
		},
		{
			name:    "an unowned group with adopt is adopted and recorded in the ledger",
			actual:  func(a *model.Account) { a.Groups["developers"] = developersGroup() },
			desired: func(a *model.Account) { a.Groups["developers"] = adoptedDevelopers() },
			want:    []string{"adopt group Developers", "create policy trustform.s.adopted"},
			ledger:  []string{groupARN},
		},
		{
			name: "another stack's group (its path) is never adopted",
			actual: func(a *model.Account) {
				g := developersGroup()
				g.Path = ownership.OwnedGroupPath("other")
				a.Groups["developers"] = g
			},
			desired: func(a *model.Account) {
				g := adoptedDevelopers()
				g.Path = ownership.OwnedGroupPath("other")
				a.Groups["developers"] = g
			},
			wantErr: `but by trustform stack "other"`,
		},
		{
			name: "another stack's adopted group (its ledger) is never adopted",
			actual: func(a *model.Account) {
				a.Groups["developers"] = developersGroup()
				l := ownership.Ledgers("other", "aws", dev.ID, []string{groupARN})[0]
				l.Owned = false
				a.Policies[model.NameKey(l.Name)] = l
			},
			desired: func(a *model.Account) { a.Groups["developers"] = adoptedDevelopers() },
			wantErr: `but by trustform stack "other"`,
		},
		{
			name: "another stack's role (its tag) is never adopted",
			actual: func(a *model.Account) {
				a.Roles["app"] = &model.Role{Name: "App", Path: "/", TrustPolicy: trustDev, MaxSessionDuration: 3600, Tags: map[string]string{ownership.OwnerTagKey: "other"}}
			},
			desired: func(a *model.Account) {
				a.Roles["app"] = &model.Role{Name: "App", Path: "/", TrustPolicy: trustDev, MaxSessionDuration: 3600, Tags: map[string]string{ownership.OwnerTagKey: "s"}, InlinePolicies: map[string]string{}, Owned: true, Adopt: true}
			},
			wantErr: `but by trustform stack "other"`,
		},
		{
			name: "a role is adopted by its tag alone, with no ledger",
			actual: func(a *model.Account) {
				a.Roles["app"] = &model.Role{Name: "App", Path: "/", TrustPolicy: trustDev, MaxSessionDuration: 3600}
			},
			desired: func(a *model.Account) {
				a.Roles["app"] = &model.Role{Name: "App", Path: "/", TrustPolicy: trustDev, MaxSessionDuration: 3600, Tags: map[string]string{ownership.OwnerTagKey: "s"}, InlinePolicies: map[string]string{}, Owned: true, Adopt: true}
			},
			want: []string{"adopt role App"},
		},
		{
			name: "a managed policy keeps its description when adopted; the ledger records it",
			actual: func(a *model.Account) {
				a.Policies["rw"] = &model.ManagedPolicy{Name: "rw", Path: "/", Description: "Read and write", Document: bucketDoc}
			},
			desired: func(a *model.Account) {
				a.Policies["rw"] = &model.ManagedPolicy{Name: "rw", Path: "/", Description: ownership.PolicyDescription("Read and write", "s"), Document: bucketDoc, Owned: true, Adopt: true}
			},
			want:   []string{"adopt policy rw", "create policy trustform.s.adopted"},
			ledger: []string{model.PolicyARN("aws", dev.ID, "/", "rw")},
		},
		{
			name: "an adopted group removed from the stack is deleted and leaves the ledger, which goes",
			actual: func(a *model.Account) {
				g := developersGroup()
				g.Owned = true
				a.Groups["developers"] = g
				l := ledgerOf("s", groupARN)
				a.Policies[model.NameKey(l.Name)] = l
			},
			desired: func(a *model.Account) {},
			want:    []string{"delete attachment group/developers/arn:aws:iam::aws:policy/PowerUserAccess", "delete group Developers", "delete policy trustform.s.adopted"},
		},
		{
			name: "an adopted group declared existing = true again is released, not deleted",
			actual: func(a *model.Account) {
				g := developersGroup()
				g.Owned = true
				a.Groups["developers"] = g
				l := ledgerOf("s", groupARN)
				a.Policies[model.NameKey(l.Name)] = l
			},
			desired: func(a *model.Account) {
				a.Groups["developers"] = &model.Group{Name: "Developers", InlinePolicies: map[string]string{}}
			},
			want: []string{"delete policy trustform.s.adopted"},
		},
		{
			name: "an owned user declared existing = true again loses the ownership tag, nothing else",
			actual: func(a *model.Account) {
				a.Users["david"] = &model.User{Name: "David", Path: "/", Tags: map[string]string{ownership.OwnerTagKey: "s", "team": "dev"}, InlinePolicies: map[string]string{"own": bucketDoc}}
			},
			desired: func(a *model.Account) {
				a.Users["david"] = &model.User{Name: "David", Path: "/", InlinePolicies: map[string]string{}}
			},
			want: []string{"update user David"},
		},
		{
			name: "an adopted user's membership is neither created again nor removed",
			actual: func(a *model.Account) {
				a.Groups["developers"] = developersGroup()
				a.Users["david"] = &model.User{Name: "David", Path: "/", Groups: []string{"Developers"}, InlinePolicies: map[string]string{}}
			},
			desired: func(a *model.Account) {
				a.Groups["developers"] = &model.Group{Name: "Developers", InlinePolicies: map[string]string{}}
				a.Users["david"] = &model.User{Name: "David", Path: "/", Groups: []string{"Developers"}, Tags: map[string]string{ownership.OwnerTagKey: "s"}, InlinePolicies: map[string]string{}, Owned: true, Adopt: true}
			},
			want: []string{"adopt user David"},
		},
		{
			name: "an owned user declared existing = true again keeps its memberships of groups it does not own",
			actual: func(a *model.Account) {
				a.Groups["developers"] = developersGroup()
				a.Users["david"] = &model.User{Name: "David", Path: "/", Groups: []string{"Developers"}, Tags: map[string]string{ownership.OwnerTagKey: "s"}, InlinePolicies: map[string]string{}}
			},
			desired: func(a *model.Account) {
				a.Groups["developers"] = &model.Group{Name: "Developers", InlinePolicies: map[string]string{}}
				a.Users["david"] = &model.User{Name: "David", Path: "/", Groups: []string{"Developers"}, InlinePolicies: map[string]string{}}
			},
			want: []string{"update user David"},
		},
		{
			name: "a released user keeps a membership it no longer declares",
			actual: func(a *model.Account) {
				a.Groups["developers"] = developersGroup()
				a.Users["david"] = &model.User{Name: "David", Path: "/", Groups: []string{"Developers"}, Tags: map[string]string{ownership.OwnerTagKey: "s"}, InlinePolicies: map[string]string{}}
			},
			desired: func(a *model.Account) {
				a.Users["david"] = &model.User{Name: "David", Path: "/", InlinePolicies: map[string]string{}}
			},
			want: []string{"update user David"},
		},
		{
			name: "an adopted group declared existing = true again keeps its members",
			actual: func(a *model.Account) {
				g := developersGroup()
				g.Owned = true
				a.Groups["developers"] = g
				a.Users["eve"] = &model.User{Name: "Eve", Path: "/", Groups: []string{"Developers"}, InlinePolicies: map[string]string{}}
				l := ledgerOf("s", groupARN)
				a.Policies[model.NameKey(l.Name)] = l
			},
			desired: func(a *model.Account) {
				a.Groups["developers"] = &model.Group{Name: "Developers", InlinePolicies: map[string]string{}}
			},
			want: []string{"delete policy trustform.s.adopted"},
		},
		{
			name: "an owned group removes the membership of an unowned user the stack does not declare",
			actual: func(a *model.Account) {
				a.Groups["ops"] = opsGroup(false)
				a.Users["eve"] = &model.User{Name: "Eve", Path: "/", Groups: []string{"Ops"}, InlinePolicies: map[string]string{}}
			},
			desired: func(a *model.Account) {
				a.Groups["ops"] = opsGroup(true)
			},
			want: []string{"delete membership " + model.MembershipKey(dev.ID, "Eve", "Ops").ID},
		},
		{
			name: "an owned group leaves alone another stack's user that the stack does not declare",
			actual: func(a *model.Account) {
				a.Groups["ops"] = opsGroup(false)
				a.Users["olga"] = othersUser("Ops")
			},
			desired: func(a *model.Account) {
				a.Groups["ops"] = opsGroup(true)
			},
			want: nil,
		},
		{
			name: "another stack's user declared existing = true in an owned group: its membership is neither made again nor removed",
			actual: func(a *model.Account) {
				a.Groups["ops"] = opsGroup(false)
				a.Users["olga"] = othersUser("Ops")
			},
			desired: func(a *model.Account) {
				a.Groups["ops"] = opsGroup(true)
				a.Users["olga"] = &model.User{Name: "Olga", Path: "/", Groups: []string{"Ops"}, InlinePolicies: map[string]string{}}
			},
			want: nil,
		},
		{
			name: "another stack's user declared in an owned group it is not in: the plan stops, naming the stack that manages it",
			actual: func(a *model.Account) {
				a.Groups["ops"] = opsGroup(false)
				a.Users["olga"] = othersUser()
			},
			desired: func(a *model.Account) {
				a.Groups["ops"] = opsGroup(true)
				a.Users["olga"] = &model.User{Name: "Olga", Path: "/", Groups: []string{"Ops"}, InlinePolicies: map[string]string{}}
			},
			wantErr: `belongs to trustform stack "other", which alone manages its memberships`,
		},
		{
			name: "an owned group that goes takes every member out first, another stack's user too",
			actual: func(a *model.Account) {
				a.Groups["ops"] = opsGroup(false)
				a.Users["olga"] = othersUser("Ops")
			},
			desired: func(a *model.Account) {},
			want:    []string{"delete membership " + model.MembershipKey(dev.ID, "Olga", "Ops").ID, "delete group Ops"},
			first:   "delete membership " + model.MembershipKey(dev.ID, "Olga", "Ops").ID,
			then:    "delete group Ops",
		},
		{
			name: "another stack's grant on an owned user is left alone",
			actual: func(a *model.Account) {
				a.Users["david"] = &model.User{Name: "David", Path: "/", Tags: map[string]string{ownership.OwnerTagKey: "s"},
					InlinePolicies: map[string]string{"trustform.other.grant.x": bucketDoc, "stray": bucketDoc}}
			},
			desired: func(a *model.Account) {
				a.Users["david"] = &model.User{Name: "David", Path: "/", Tags: map[string]string{ownership.OwnerTagKey: "s"}, InlinePolicies: map[string]string{}, Owned: true}
			},
			want: []string{"delete inline_policy " + model.InlineKey(dev.ID, model.KindUser, "David", "stray").ID},
		},
		{
			name: "an owned user that goes loses every inline policy first, another stack's grant too",
			actual: func(a *model.Account) {
				a.Users["david"] = &model.User{Name: "David", Path: "/", Tags: map[string]string{ownership.OwnerTagKey: "s"},
					InlinePolicies: map[string]string{"trustform.other.grant.x": bucketDoc}}
			},
			desired: func(a *model.Account) {},
			want:    []string{"delete inline_policy " + model.InlineKey(dev.ID, model.KindUser, "David", "trustform.other.grant.x").ID, "delete user David"},
			first:   "delete inline_policy " + model.InlineKey(dev.ID, model.KindUser, "David", "trustform.other.grant.x").ID,
			then:    "delete user David",
		},
		{
			name: "a ledger entry does not outweigh another stack's marker on the policy now at that ARN",
			actual: func(a *model.Account) {
				a.Policies["rw"] = &model.ManagedPolicy{Name: "rw", Path: "/", Description: ownership.PolicyDescription("Made again", "other"), Document: bucketDoc}
				l := ledgerOf("s", model.PolicyARN("aws", dev.ID, "/", "rw"))
				a.Policies[model.NameKey(l.Name)] = l
			},
			desired: func(a *model.Account) {},
			want:    []string{"delete policy trustform.s.adopted"},
		},
		{
			name: "a ledger entry does not outweigh another stack's path on the group now at that ARN",
			actual: func(a *model.Account) {
				a.Groups["ops"] = &model.Group{Name: "Ops", Path: ownership.OwnedGroupPath("other"), InlinePolicies: map[string]string{}}
				l := ledgerOf("s", model.GroupARN("aws", dev.ID, ownership.OwnedGroupPath("other"), "Ops"))
				a.Policies[model.NameKey(l.Name)] = l
			},
			desired: func(a *model.Account) {},
			want:    []string{"delete policy trustform.s.adopted"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("s", dev)
			actual, desired := model.NewState(), model.NewState()
			tc.actual(actual.Account(dev.ID, "aws"))
			ownership.MarkOwnership(actual.Accounts[dev.ID], "s")
			tc.desired(desired.Account(dev.ID, "aws"))
			changes, err := Diff(actual, desired, cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ordered := Order(changes)
			var got []string
			ledgerAt, lastOther := -1, -1
			for i, c := range ordered {
				got = append(got, string(c.Action)+" "+string(c.Kind)+" "+objectName(c))
				if c.Block == ownership.LedgerAddress {
					ledgerAt = i
					if c.After != nil && tc.ledger != nil {
						if entries := ownership.LedgerEntries(c.After.(*model.ManagedPolicy).Document); !slices.Equal(entries, tc.ledger) {
							t.Errorf("ledger lists %v, want %v", entries, tc.ledger)
						}
					}
				} else if c.Kind == model.KindGroup || c.Kind == model.KindPolicy {
					lastOther = i
				}
			}
			if tc.first != "" && !(slices.Index(got, tc.first) >= 0 && slices.Index(got, tc.first) < slices.Index(got, tc.then)) {
				t.Errorf("the plan does not hold %q before %q:\n  %s", tc.first, tc.then, strings.Join(got, "\n  "))
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Fatalf("changes:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
			if ledgerAt >= 0 && lastOther > ledgerAt {
				t.Errorf("the ledger is written (change %d) before a group or policy change (%d)", ledgerAt, lastOther)
			}
		})
	}
}

func objectName(c *model.Change) string {
	switch o := objectOf(c).(type) {
	case *model.Role:
		return o.Name
	case *model.Group:
		return o.Name
	case *model.User:
		return o.Name
	case *model.ManagedPolicy:
		return o.Name
	}
	return c.Key.ID
}

func TestLedgersSplitUnderTheSizeLimit(t *testing.T) {
	var arns []string
	for i := range 400 {
		arns = append(arns, model.GroupARN("aws", dev.ID, "/teams/platform/", "Group"+strings.Repeat("x", i%40)+string(rune('a'+i%26))+strings.Repeat("0", 3)+string(rune('A'+i/26))))
	}
	ledgers := ownership.Ledgers("s", "aws", dev.ID, arns)
	if len(ledgers) < 2 {
		t.Fatalf("%d ARNs fit in %d ledger; expected a split", len(arns), len(ledgers))
	}
	var back []string
	for i, l := range ledgers {
		if l.Name != ownership.LedgerName("s", i) || !ownership.IsLedger("s", l.Name) {
			t.Errorf("ledger %d is named %q", i, l.Name)
		}
		if n := len(strings.Join(strings.Fields(l.Document), "")); n > 6144 {
			t.Errorf("ledger %d has %d characters, over IAM's 6,144", i, n)
		}
		back = append(back, ownership.LedgerEntries(l.Document)...)
	}
	slices.Sort(back)
	if !slices.Equal(back, slices.Sorted(slices.Values(arns))) {
		t.Errorf("the ledgers do not list the ARNs given: %d of %d", len(back), len(arns))
	}
	if ownership.IsLedger("s", "trustform.s.adopted.x") || ownership.IsLedger("s", "trustform.other.adopted") {
		t.Error("IsLedger accepts a name that is not the stack's ledger")
	}
}
