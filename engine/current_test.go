package engine

import (
	"errors"
	"testing"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

func TestCheckCurrentDelete(t *testing.T) {
	owned := map[string]string{ownership.OwnerTagKey: "s"}
	tests := []struct {
		name    string
		before  model.Object
		current model.Object
		want    error // nil: go ahead
	}{
		{name: "an owned role as planned is deleted", before: &model.Role{Name: "R", Tags: owned}, current: &model.Role{Name: "R", Tags: owned}},
		{name: "an owned role whose content changed is still deleted", before: &model.Role{Name: "R", Tags: owned, MaxSessionDuration: 3600},
			current: &model.Role{Name: "R", Tags: owned, MaxSessionDuration: 7200}},
		{name: "a role gone already stands aside", before: &model.Role{Name: "R", Tags: owned}, want: ErrAlreadyApplied},
		{name: "a role that lost its tag is not deleted", before: &model.Role{Name: "R", Tags: owned}, current: &model.Role{Name: "R"}, want: ErrChangedSincePlan},
		{name: "a role another stack now owns is not deleted", before: &model.Role{Name: "R", Tags: owned},
			current: &model.Role{Name: "R", Tags: map[string]string{ownership.OwnerTagKey: "other"}}, want: ErrChangedSincePlan},
		{name: "a user that lost its tag is not deleted", before: &model.User{Name: "U", Tags: owned}, current: &model.User{Name: "U"}, want: ErrChangedSincePlan},
		{name: "a group made again at another path is not deleted", before: &model.Group{Name: "G", Path: ownership.OwnedGroupPath("s")},
			current: &model.Group{Name: "G", Path: "/"}, want: ErrChangedSincePlan},
		{name: "a policy made again without the marker is not deleted", before: &model.ManagedPolicy{Name: "P", Description: ownership.PolicyDescription("d", "s")},
			current: &model.ManagedPolicy{Name: "P", Description: "d"}, want: ErrChangedSincePlan},
		{name: "an owned user as planned is deleted", before: &model.User{Name: "U", Tags: owned}, current: &model.User{Name: "U", Tags: owned}},
		{name: "an owned group as planned is deleted", before: &model.Group{Name: "G", Path: ownership.OwnedGroupPath("s")}, current: &model.Group{Name: "G", Path: ownership.OwnedGroupPath("s")}},
		{name: "an owned policy whose document changed is still deleted", before: &model.ManagedPolicy{Name: "P", Description: ownership.PolicyDescription("d", "s"), Document: "{}"},
			current: &model.ManagedPolicy{Name: "P", Description: ownership.PolicyDescription("d", "s"), Document: `{"Version":"2012-10-17"}`}},
		{name: "an adopted group, which carries no marker, is deleted", before: &model.Group{Name: "G", Path: "/"}, current: &model.Group{Name: "G", Path: "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &model.Change{Action: model.Delete, Before: tt.before}
			switch tt.before.(type) {
			case *model.Role:
				c.Kind = model.KindRole
			case *model.User:
				c.Kind = model.KindUser
			case *model.Group:
				c.Kind = model.KindGroup
			case *model.ManagedPolicy:
				c.Kind = model.KindPolicy
			}
			current := tt.current
			if current == nil {
				current = (*model.Role)(nil)
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
