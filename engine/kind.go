package engine

import (
	"github.com/trustform/trustform/engine/model"
)

// What the planner does with each kind of object lives in one file per kind
// (kind_role.go, kind_inline.go, ...): the objects its blocks declare, the
// blocks behind them, its diff over an account, how a change of the kind is
// carried out on a projected account, how an object as read is compared with
// one a change expects, where the object is in an account as read, and which
// other objects it needs to exist. Desired, Diff, Project, Matches,
// CurrentObject and Order ask this table instead of each switching over the
// kinds.

// kindOps is the planner's part of one kind.
type kindOps struct {
	kind model.Kind
	// declare puts the objects the stack's blocks of the kind declare into
	// the desired state (account returns the desired account of an id);
	// nil for a kind whose objects come with another's blocks.
	declare func(cfg *model.Config, owner string, account func(id string) *model.Account)
	// sources records the block that declares each object of the kind, and
	// each child the block gives it, for messages and drift.
	sources func(cfg *model.Config, at func(model.Key, declared))
	// diff compares one account's objects of the kind, desired against
	// actual, and adds the changes; nil for a kind whose changes its
	// parent's diff makes (inline policies, attachments).
	diff func(d *differ, ref model.AccountRef, have, want *model.Account)
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

// kindTable is every kind's part, in the order Diff walks an account:
// managed policies, then the principals, then what joins them.
var kindTable = []kindOps{policyOps, groupOps, userOps, roleOps, membershipOps, inlineOps, attachmentOps}

var kindOpsByKind = func() map[model.Kind]kindOps {
	m := map[model.Kind]kindOps{}
	for _, k := range kindTable {
		m[k.kind] = k
	}
	return m
}()

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
