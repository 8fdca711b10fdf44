package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

// The dispatch of a change to its kind's handler: the action's function is
// called with the change's objects; an action the kind lacks, an unknown
// kind and a change whose objects are not its kind's are refused, naming
// the target.
func TestHandlersDispatch(t *testing.T) {
	var got []string
	hs := NewHandlers[string]("test target")
	Register(hs, model.KindAttachment, Handler[string, *model.Attachment]{
		Create: func(c string, _ context.Context, a *model.Attachment) error {
			got = append(got, c+" attach "+a.PolicyARN)
			return nil
		},
		Delete: func(c string, _ context.Context, a *model.Attachment) error {
			got = append(got, c+" detach "+a.PolicyARN)
			return nil
		},
	})
	att := &model.Attachment{PrincipalKind: model.KindRole, PrincipalName: "R", PolicyARN: "arn:aws:iam::aws:policy/ReadOnlyAccess"}
	tests := []struct {
		name    string
		change  *model.Change
		want    string // the call made
		wantErr string
	}{
		{"create", &model.Change{Action: model.Create, Kind: model.KindAttachment, After: att}, "acct attach " + att.PolicyARN, ""},
		{"delete", &model.Change{Action: model.Delete, Kind: model.KindAttachment, Before: att}, "acct detach " + att.PolicyARN, ""},
		{"an action the kind lacks", &model.Change{Action: model.Update, Kind: model.KindAttachment, Before: att, After: att}, "", `test target: change 1/attachment/x: action "update" is not possible on a attachment`},
		{"an unknown kind", &model.Change{Action: model.Create, Kind: model.KindRole, After: &model.Role{Name: "R"}}, "", `test target: change 1/role/x: unknown kind "role"`},
		{"objects of another kind", &model.Change{Action: model.Create, Kind: model.KindAttachment, After: &model.Role{Name: "R"}}, "", "test target: change 1/attachment/x: After of a attachment change is a *model.Role"},
		{"a create without After", &model.Change{Action: model.Create, Kind: model.KindAttachment}, "", "test target: change 1/attachment/x: a create needs After"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			tc.change.Key = model.Key{Account: "1", Kind: tc.change.Kind, ID: "x"}
			err := hs.Apply(context.Background(), "acct", tc.change)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if want := tc.want; (want == "") != (len(got) == 0) || (want != "" && got[0] != want) {
				t.Fatalf("calls %q, want %q", got, want)
			}
		})
	}
	if kinds := hs.Kinds(); len(kinds) != 1 || kinds[0] != model.KindAttachment {
		t.Fatalf("kinds %v", kinds)
	}
}
