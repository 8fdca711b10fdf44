package engine

import (
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/policy"
)

var inlineOps = kindOps{
	kind: model.KindInline,
	project: func(a *model.Account, c *model.Change) {
		p := objectOf(c).(*model.InlinePolicy)
		inline := inlineMapOf(a, p.PrincipalKind, p.PrincipalName)
		if inline == nil {
			return
		}
		if c.Action == model.Delete {
			delete(inline, p.Name)
		} else {
			inline[p.Name] = p.Document
		}
	},
	same: func(current, want model.Object) bool {
		cur, ok := current.(*model.InlinePolicy)
		return ok && policy.Equivalent(cur.Document, want.(*model.InlinePolicy).Document)
	},
	current: func(a *model.Account, o model.Object) model.Object {
		p := o.(*model.InlinePolicy)
		if doc, ok := inlineMapOf(a, p.PrincipalKind, p.PrincipalName)[p.Name]; ok {
			cur := *p
			cur.Document = doc
			return &cur
		}
		return nil
	},
	// An inline policy needs its principal, and what its document names.
	refs: func(account string, o model.Object) []model.Key {
		p := o.(*model.InlinePolicy)
		return append(arnKeys(p.Document), model.PrincipalKey(account, p.PrincipalKind, p.PrincipalName))
	},
}
