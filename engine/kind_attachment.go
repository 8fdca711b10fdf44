package engine

import (
	"slices"

	"github.com/trustform/trustform/engine/model"
)

var attachmentOps = kindOps{
	kind: model.KindAttachment,
	project: func(a *model.Account, c *model.Change) {
		p := objectOf(c).(*model.Attachment)
		list := attachedOf(a, p.PrincipalKind, p.PrincipalName)
		if list == nil {
			return
		}
		*list = slices.DeleteFunc(*list, func(arn string) bool { return arn == p.PolicyARN })
		if c.Action != model.Delete {
			*list = append(*list, p.PolicyARN)
			slices.Sort(*list)
		}
	},
	same: present,
	current: func(a *model.Account, o model.Object) model.Object {
		at := o.(*model.Attachment)
		if list := attachedOf(a, at.PrincipalKind, at.PrincipalName); list != nil && slices.Contains(*list, at.PolicyARN) {
			cur := *at
			return &cur
		}
		return nil
	},
	// An attachment needs its principal and its policy.
	refs: func(account string, o model.Object) []model.Key {
		at := o.(*model.Attachment)
		out := []model.Key{model.PrincipalKey(account, at.PrincipalKind, at.PrincipalName)}
		if k, ok := model.ARNKey(at.PolicyARN); ok {
			out = append(out, k)
		}
		return out
	},
}
