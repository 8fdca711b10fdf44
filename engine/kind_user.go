package engine

import (
	"fmt"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

var userOps = kindOps{
	kind: model.KindUser,
	declare: func(cfg *model.Config, owner string, account func(string) *model.Account) {
		for _, u := range cfg.Users {
			account(u.Account).Users[model.NameKey(u.Name)] = desiredUser(u, owner)
		}
	},
	sources: func(cfg *model.Config, at func(model.Key, declared)) {
		for _, u := range cfg.Users {
			principalSources(at, u.Account, model.KindUser, u.Name, u.InlinePolicies, u.ManagedPolicies, declared{u.Address, u.Source})
		}
	},
	diff: walkPrincipals(userKind),
	project: func(a *model.Account, c *model.Change) {
		projectPrincipal(a.Users, c, func(o model.Object) *model.User { return o.(*model.User) },
			func(old, nu *model.User) {
				nu.AttachedPolicies, nu.InlinePolicies, nu.Groups = old.AttachedPolicies, old.InlinePolicies, old.Groups
			})
	},
	same: func(current, want model.Object) bool {
		cur, ok := current.(*model.User)
		w := want.(*model.User)
		return ok && model.PathOr(cur.Path) == model.PathOr(w.Path) && len(userAttrs(userOnly(cur), userOnly(w))) == 0
	},
	current: func(a *model.Account, o model.Object) model.Object {
		if u := a.Users[model.NameKey(o.(*model.User).Name)]; u != nil {
			return userOnly(u)
		}
		return nil
	},
	// An owned user needs its boundary policy.
	refs: func(_ string, o model.Object) []model.Key { return boundaryKeys(o.(*model.User).PermissionsBoundary) },
}

// userKind is the user's part of the one principal lifecycle (diffPrincipal).
var userKind = principalKind[*model.User]{
	kind: model.KindUser, noun: "user", in: func(a *model.Account) map[string]*model.User { return a.Users },
	only: userOnly, attrs: userAttrs, updates: true,
	parts: func(u *model.User) (principalParts, bool) {
		if u == nil {
			return principalParts{}, false
		}
		return principalParts{u.Name, u.Path, u.Owned, u.Adopt, u.Tags, u.InlinePolicies, u.AttachedPolicies}, true
	},
	hash: func(u *model.User) string { return ownership.UserPrincipalHash(userOnly(u)) },
	// Giving the user back means removing the ownership tag, or a later
	// destroy would still delete it.
	release: func(u *model.User) *model.User {
		released := userOnly(u)
		delete(released.Tags, ownership.OwnerTagKey)
		return released
	},
	moved: func(name, account, have, want, where string) string {
		return fmt.Sprintf("user %q in account %s: IAM users keep the path they were created with in trustform (%s → %s); declared by %s: keep the path, or give the user a new name to replace it", name, account, have, want, where)
	},
}

func userOnly(u *model.User) *model.User {
	c := u.Clone()
	c.AttachedPolicies, c.InlinePolicies, c.Groups = nil, nil, nil
	return c
}

func userAttrs(have, want *model.User) []model.AttrDiff {
	a := &attrs{partial: have != nil && want != nil}
	var h, w model.User
	if have != nil {
		h = *have
	}
	if want != nil {
		w = *want
	}
	if !a.partial {
		a.str("name", h.Name, w.Name)
		a.str("path", h.Path, w.Path)
	}
	a.str("permissions_boundary", h.PermissionsBoundary, w.PermissionsBoundary)
	a.tags(h.Tags, w.Tags)
	return a.out
}

// desiredUser is the user a block declares.
func desiredUser(u *model.UserConfig, owner string) *model.User {
	return &model.User{Name: u.Name, Path: model.PathOr(u.Path), PermissionsBoundary: u.PermissionsBoundary, Tags: ownedTags(u.Tags, owner, !u.Existing), Groups: sortedNames(u.Groups),
		AttachedPolicies: sortedNames(u.ManagedPolicies), InlinePolicies: mapOrEmpty(u.InlinePolicies), Owned: !u.Existing, Adopt: u.Adopt}
}
