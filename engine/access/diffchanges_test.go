package access_test

import (
	"fmt"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
)

// TestDiffChangesAgreesWithDiff applies one change at a time to the
// tutorial's accounts and checks that the access diff computed from the
// change alone is the one computed by comparing every role with every
// principal.
func TestDiffChangesAgreesWithDiff(t *testing.T) {
	const dev, prod = "111111111111", "999999999999"
	cases, err := access.LoadCase("../../testdata/eval/tutorial.json")
	if err != nil {
		t.Fatal(err)
	}
	allowAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	devRef := model.AccountRef{Name: "development", ID: dev, Partition: "aws"}
	prodRef := model.AccountRef{Name: "production", ID: prod, Partition: "aws"}
	tests := []struct {
		name   string
		mutate func(s *model.State) *model.Change
		want   bool // whether some access must change
	}{
		{"the deny on Testers removed", func(s *model.State) *model.Change {
			g := s.Accounts[dev].Groups["testers"]
			for name, doc := range g.InlinePolicies {
				delete(g.InlinePolicies, name)
				return &model.Change{Action: model.Delete, Kind: model.KindInline, Account: devRef,
					Before: &model.InlinePolicy{PrincipalKind: model.KindGroup, PrincipalName: g.Name, Name: name, Document: doc}}
			}
			return nil
		}, false},
		{"David joins Testers", func(s *model.State) *model.Change {
			u := s.Accounts[dev].Users["david"]
			u.Groups = append(u.Groups, "Testers")
			return &model.Change{Action: model.Create, Kind: model.KindMembership, Account: devRef, After: &model.Membership{User: u.Name, Group: "Testers"}}
		}, true},
		{"UpdateApp trusts nobody", func(s *model.State) *model.Change {
			r := s.Accounts[prod].Roles["updateapp"]
			before := r.Clone()
			r.TrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
			return &model.Change{Action: model.Update, Kind: model.KindRole, Account: prodRef, Before: before, After: r.Clone()}
		}, true},
		{"a user gets sts:AssumeRole on everything", func(s *model.State) *model.Change {
			u := s.Accounts[dev].Users["tess"]
			if u.InlinePolicies == nil {
				u.InlinePolicies = map[string]string{}
			}
			u.InlinePolicies["all"] = allowAll
			return &model.Change{Action: model.Create, Kind: model.KindInline, Account: devRef, After: &model.InlinePolicy{PrincipalKind: model.KindUser, PrincipalName: u.Name, Name: "all", Document: allowAll}}
		}, false},
		{"a new user in Developers", func(s *model.State) *model.Change {
			u := &model.User{Name: "Dana", Path: "/", Groups: []string{"Developers"}, InlinePolicies: map[string]string{}}
			s.Accounts[dev].Users["dana"] = u
			return &model.Change{Action: model.Create, Kind: model.KindUser, Account: devRef, After: u.Clone()}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cases[0].State()
			after := before.Clone()
			ch := tt.mutate(after)
			if ch == nil {
				t.Fatal("the mutation found nothing to change")
			}
			awsManaged := cases[0].AWSManaged(nil)
			b, a := access.New(access.Inputs{State: before, Policies: awsManaged}), access.New(access.Inputs{State: after, Policies: awsManaged})
			full := access.Diff(b, a)
			got := access.DiffChanges(b, a, []*model.Change{ch})
			if fmt.Sprint(got) != fmt.Sprint(full) {
				t.Fatalf("from the change:\n%v\nfrom every pair:\n%v", got, full)
			}
			if tt.want && len(full) == 0 {
				t.Fatal("the mutation changed no access: the case proves nothing")
			}
			if none := access.DiffChanges(b, b, nil); len(none) != 0 {
				t.Fatalf("no change, yet access changes: %v", none)
			}
		})
	}
}
