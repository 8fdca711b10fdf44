package ownership

import (
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// Scope says which inline policies and attachments of a principal the
// stack manages.
type Scope int

const (
	// NotOwned: a principal the stack does not own. Only the stack's own
	// inline policies (named with its prefix) are compared, and attachments
	// not at all.
	NotOwned Scope = iota
	// Owned: a principal the stack owns and keeps. Every inline policy and
	// attachment is the stack's, except inline policies named with another
	// stack's prefix: that stack declares the principal existing = true and
	// put them there, and removing them would undo it on every apply.
	Owned
	// OwnedDeleted: a principal the stack owns and deletes. IAM deletes no
	// principal that still has inline policies, so every one goes, another
	// stack's included; the plan lists each.
	OwnedDeleted
)

// History is what the stack knows of a principal's children, to classify
// their changes (Change.Drift).
type History struct {
	rec      record
	Recorded bool // the principal carries the stack's record
	// Ours: the children compared are the stack's by their name (the
	// stack's prefix, on a principal it does not own), record or not.
	Ours bool
	Gone bool // the principal is deleted by the plan
	// Declared: a block declares the principal (gone and declared: a
	// destroy plan).
	Declared bool
}

// ReadHistory reads the record of a role or user the stack owns (tags nil
// for a group: groups cannot carry one); declared says a block declares the
// principal.
func ReadHistory(stack string, tags map[string]string, gone, declared bool) History {
	h := History{Gone: gone, Declared: declared}
	if tags[OwnerTagKey] == stack {
		h.rec, h.Recorded = readRecord(tags)
	}
	return h
}

// PrincipalDrift classifies an update of a role or user the stack owns from
// the hash of its attributes as read.
func (h History) PrincipalDrift(have string, attrs []model.AttrDiff) model.Drift {
	switch {
	case !h.Recorded && OnlyRecord(attrs):
		return model.DriftNone // the first record, written after an older trustform
	case !h.Recorded:
		return model.DriftUnknown
	case have != h.rec.principal:
		return model.DriftChangedOutside
	}
	return model.DriftNone
}

// OnlyRecord reports whether a change's attributes are the record alone.
func OnlyRecord(attrs []model.AttrDiff) bool {
	for _, a := range attrs {
		if !IsAppliedTag(strings.TrimPrefix(a.Name, "tags.")) {
			return false
		}
	}
	return true
}

// ChildDrift classifies the change of a child with the given identity and
// content hashes (content as read, for an update or delete); declared says a
// block declares the child itself.
func (h History) ChildDrift(action model.Action, declared bool, id, content string) model.Drift {
	recorded, inRecord := "", false
	if h.Recorded {
		recorded, inRecord = h.rec.children[id]
	}
	switch action {
	case model.Create:
		if inRecord {
			return model.DriftDeletedOutside
		}
		return model.DriftNone
	case model.Update:
		switch {
		case !h.Recorded:
			return model.DriftUnknown
		case !inRecord:
			return model.DriftAddedOutside
		case recorded != content:
			return model.DriftChangedOutside
		}
		return model.DriftNone
	}
	switch {
	case declared:
		return model.DriftNone // declared, and deleted: a destroy plan
	case h.Recorded && !inRecord:
		return model.DriftAddedOutside
	case h.Gone && h.Declared:
		return model.DriftNone // its principal is destroyed
	case h.Recorded || h.Ours:
		return model.DriftNoLongerDeclared
	}
	return model.DriftUnknown
}
