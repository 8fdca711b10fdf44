package engine

import (
	"errors"
	"testing"
)

func TestCheckCurrentDelete(t *testing.T) {
	owned := map[string]string{OwnerTagKey: "s"}
	tests := []struct {
		name    string
		before  Object
		current Object
		want    error // nil: go ahead
	}{
		{name: "an owned role as planned is deleted", before: &Role{Name: "R", Tags: owned}, current: &Role{Name: "R", Tags: owned}},
		{name: "an owned role whose content changed is still deleted", before: &Role{Name: "R", Tags: owned, MaxSessionDuration: 3600},
			current: &Role{Name: "R", Tags: owned, MaxSessionDuration: 7200}},
		{name: "a role gone already stands aside", before: &Role{Name: "R", Tags: owned}, want: ErrAlreadyApplied},
		{name: "a role that lost its tag is not deleted", before: &Role{Name: "R", Tags: owned}, current: &Role{Name: "R"}, want: ErrChangedSincePlan},
		{name: "a role another stack now owns is not deleted", before: &Role{Name: "R", Tags: owned},
			current: &Role{Name: "R", Tags: map[string]string{OwnerTagKey: "other"}}, want: ErrChangedSincePlan},
		{name: "a user that lost its tag is not deleted", before: &User{Name: "U", Tags: owned}, current: &User{Name: "U"}, want: ErrChangedSincePlan},
		{name: "a group made again at another path is not deleted", before: &Group{Name: "G", Path: OwnedGroupPath("s")},
			current: &Group{Name: "G", Path: "/"}, want: ErrChangedSincePlan},
		{name: "a policy made again without the marker is not deleted", before: &ManagedPolicy{Name: "P", Description: PolicyDescription("d", "s")},
			current: &ManagedPolicy{Name: "P", Description: "d"}, want: ErrChangedSincePlan},
		{name: "an owned user as planned is deleted", before: &User{Name: "U", Tags: owned}, current: &User{Name: "U", Tags: owned}},
		{name: "an owned group as planned is deleted", before: &Group{Name: "G", Path: OwnedGroupPath("s")}, current: &Group{Name: "G", Path: OwnedGroupPath("s")}},
		{name: "an owned policy whose document changed is still deleted", before: &ManagedPolicy{Name: "P", Description: PolicyDescription("d", "s"), Document: "{}"},
			current: &ManagedPolicy{Name: "P", Description: PolicyDescription("d", "s"), Document: `{"Version":"2012-10-17"}`}},
		{name: "an adopted group, which carries no marker, is deleted", before: &Group{Name: "G", Path: "/"}, current: &Group{Name: "G", Path: "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Change{Action: Delete, Before: tt.before}
			switch tt.before.(type) {
			case *Role:
				c.Kind = KindRole
			case *User:
				c.Kind = KindUser
			case *Group:
				c.Kind = KindGroup
			case *ManagedPolicy:
				c.Kind = KindPolicy
			}
			current := tt.current
			if current == nil {
				current = (*Role)(nil)
			}
			err := CheckCurrent(c, current)
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("CheckCurrent = %v, want nil", err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("CheckCurrent = %v, want %v", err, tt.want)
			}
		})
	}
}
