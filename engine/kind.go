package engine

import (
	"github.com/trustform/trustform/engine/model"
)

// What the planner does with each kind of object lives in one file per kind
// (kind_role.go, kind_inline.go, ...): how a change of the kind is carried
// out on a projected account, how an object as read is compared with one a
// change expects, where the object is in an account as read, and which
// other objects it needs to exist. Project, Matches, CurrentObject and
// Order ask this table instead of each switching over the kinds.

// kindOps is the planner's part of one kind.
type kindOps struct {
	// project carries out a change of the kind on an account of the
	// projected state.
	project func(a *model.Account, c *model.Change)
	// same reports whether an object as read (current) is as want, on
	// the attributes a change of the kind is about; both are present.
	same func(current, want model.Object) bool
	// current returns the object in an account as read, without its
	// children as in changes, or nil when it is not there.
	current func(a *model.Account, o model.Object) model.Object
	// refs lists the keys of the objects it needs to exist, in the
	// change's account for children.
	refs func(account string, o model.Object) []model.Key
}

var kindOpsByKind = map[model.Kind]kindOps{
	model.KindRole:       roleOps,
	model.KindPolicy:     policyOps,
	model.KindGroup:      groupOps,
	model.KindUser:       userOps,
	model.KindInline:     inlineOps,
	model.KindAttachment: attachmentOps,
	model.KindMembership: membershipOps,
}

// opsOf returns the planner's part of an object's kind.
func opsOf(o model.Object) (kindOps, bool) {
	k, ok := kindOpsByKind[model.SpecOf(o).Kind]
	return k, ok
}

// noRefs is the refs of a kind that needs nothing else to exist.
func noRefs(string, model.Object) []model.Key { return nil }

// present is the same of a kind whose objects are there or not, with
// nothing else to compare.
func present(_, _ model.Object) bool { return true }
