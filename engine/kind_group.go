package engine

import (
	"fmt"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

var groupOps = kindOps{
	kind: model.KindGroup,
	declare: func(cfg *model.Config, owner string, account func(string) *model.Account) {
		for _, g := range cfg.Groups {
			account(g.Account).Groups[model.NameKey(g.Name)] = desiredGroup(g, owner)
		}
	},
	sources: func(cfg *model.Config, at func(model.Key, declared)) {
		for _, g := range cfg.Groups {
			principalSources(at, g.Account, model.KindGroup, g.Name, g.InlinePolicies, g.ManagedPolicies, declared{g.Address, g.Source})
		}
	},
	diff: walkPrincipals(groupKind),
	project: func(a *model.Account, c *model.Change) {
		projectPrincipal(a.Groups, c, func(o model.Object) *model.Group { return o.(*model.Group) },
			func(old, nu *model.Group) {
				nu.AttachedPolicies, nu.InlinePolicies = old.AttachedPolicies, old.InlinePolicies
			})
	},
	same: func(current, want model.Object) bool {
		cur, ok := current.(*model.Group)
		return ok && model.PathOr(cur.Path) == model.PathOr(want.(*model.Group).Path)
	},
	current: func(a *model.Account, o model.Object) model.Object {
		if g := a.Groups[model.NameKey(o.(*model.Group).Name)]; g != nil {
			return groupOnly(g)
		}
		return nil
	},
	refs: noRefs,
}

// groupKind is the group's part of the one principal lifecycle (diffPrincipal).
var groupKind = principalKind[*model.Group]{
	kind: model.KindGroup, noun: "group", in: func(a *model.Account) map[string]*model.Group { return a.Groups },
	only: groupOnly, attrs: groupAttrs,
	parts: func(g *model.Group) (principalParts, bool) {
		if g == nil {
			return principalParts{}, false
		}
		return principalParts{g.Name, g.Path, g.Owned, g.Adopt, nil, g.InlinePolicies, g.AttachedPolicies}, true
	},
	moved: func(name, account, have, want, where string) string {
		return fmt.Sprintf("group %q in account %s is at path %s, but the stack declares it at %s; declared by %s: a group's path is part of its ARN, so trustform does not move it: set path = %q on the group block",
			name, account, have, want, where, have)
	},
}

func groupOnly(g *model.Group) *model.Group {
	c := g.Clone()
	c.AttachedPolicies, c.InlinePolicies = nil, nil
	return c
}

func groupAttrs(have, want *model.Group) []model.AttrDiff {
	a := &attrs{}
	var h, w model.Group
	if have != nil {
		h = *have
	}
	if want != nil {
		w = *want
	}
	a.str("name", h.Name, w.Name)
	a.str("path", h.Path, w.Path)
	return a.out
}

// desiredGroup is the group a block declares. One declared existing = true
// is not the stack's: it holds only the stack's grants and denies.
func desiredGroup(g *model.GroupConfig, owner string) *model.Group {
	grp := &model.Group{Name: g.Name, Path: ownership.OwnedGroupPath(owner), AttachedPolicies: sortedNames(g.ManagedPolicies),
		InlinePolicies: mapOrEmpty(g.InlinePolicies), Owned: !g.Existing, Adopt: g.Adopt}
	switch {
	case g.Existing:
		grp.Path = ""
	case g.Adopt:
		// An adopted group keeps its path: it is part of the ARN that
		// other policies name. The ledger records its ownership.
		grp.Path = model.PathOr(g.Path)
	}
	return grp
}
