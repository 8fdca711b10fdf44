package engine

import (
	"fmt"
	"slices"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

var roleOps = kindOps{
	kind: model.KindRole,
	declare: func(cfg *model.Config, owner string, account func(string) *model.Account) {
		for _, r := range cfg.Roles {
			account(r.Account).Roles[model.NameKey(r.Name)] = desiredRole(r, owner)
		}
	},
	sources: func(cfg *model.Config, at func(model.Key, declared)) {
		for _, r := range cfg.Roles {
			principalSources(at, r.Account, model.KindRole, r.Name, r.InlinePolicies, r.ManagedPolicies, declared{r.Address, r.Source})
		}
	},
	diff: walkPrincipals(roleKind),
	project: func(a *model.Account, c *model.Change) {
		projectPrincipal(a.Roles, c, func(o model.Object) *model.Role { return o.(*model.Role) },
			func(old, nu *model.Role) {
				nu.AttachedPolicies, nu.InlinePolicies = old.AttachedPolicies, old.InlinePolicies
			})
	},
	same: func(current, want model.Object) bool {
		cur, ok := current.(*model.Role)
		return ok && len(roleAttrs(roleOnly(cur), roleOnly(want.(*model.Role)))) == 0
	},
	current: func(a *model.Account, o model.Object) model.Object {
		if r := a.Roles[model.NameKey(o.(*model.Role).Name)]; r != nil {
			return roleOnly(r)
		}
		return nil
	},
	// A role needs the principals its trust policy names and its boundary.
	refs: func(_ string, o model.Object) []model.Key {
		r := o.(*model.Role)
		return append(arnKeys(r.TrustPolicy), boundaryKeys(r.PermissionsBoundary)...)
	},
}

// roleKind is the role's part of the one principal lifecycle (diffPrincipal).
var roleKind = principalKind[*model.Role]{
	kind: model.KindRole, noun: "role", in: func(a *model.Account) map[string]*model.Role { return a.Roles },
	only: roleOnly, attrs: roleAttrs, updates: true,
	parts: func(r *model.Role) (principalParts, bool) {
		if r == nil {
			return principalParts{}, false
		}
		return principalParts{r.Name, r.Path, r.Owned, r.Adopt, r.Tags, r.InlinePolicies, r.AttachedPolicies}, true
	},
	hash: func(r *model.Role) string { return ownership.RolePrincipalHash(roleOnly(r)) },
	moved: func(name, account, have, want, where string) string {
		return fmt.Sprintf("role %q in account %s: IAM cannot move a role to another path (%s → %s); declared by %s: keep the path, or give the role a new name to replace it", name, account, have, want, where)
	},
}

// The *Only helpers strip what travels as separate changes, so a role change
// carries the role's own attributes only.
func roleOnly(r *model.Role) *model.Role {
	c := r.Clone()
	c.AttachedPolicies, c.InlinePolicies = nil, nil
	return c
}

func roleAttrs(have, want *model.Role) []model.AttrDiff {
	a := &attrs{partial: have != nil && want != nil}
	var h, w model.Role
	if have != nil {
		h = *have
	}
	if want != nil {
		w = *want
	}
	a.str("name", h.Name, w.Name)
	a.str("path", h.Path, w.Path)
	a.str("description", h.Description, w.Description)
	a.str("max_session_duration", durationText(h.MaxSessionDuration), durationText(w.MaxSessionDuration))
	a.doc("trust_policy", h.TrustPolicy, w.TrustPolicy)
	a.str("permissions_boundary", h.PermissionsBoundary, w.PermissionsBoundary)
	a.tags(h.Tags, w.Tags)
	if a.partial {
		// A name differing only in case is the same role to IAM.
		a.out = slices.DeleteFunc(a.out, func(x model.AttrDiff) bool { return x.Name == "name" })
	}
	return a.out
}

// desiredRole is the role a block declares, with IAM's default maximum
// session duration when it sets none.
func desiredRole(r *model.RoleConfig, owner string) *model.Role {
	return &model.Role{
		Name: r.Name, Path: model.PathOr(r.Path), Description: r.Description, TrustPolicy: r.TrustDocument,
		MaxSessionDuration: model.MaxSessionOr(r.MaxSessionDuration), PermissionsBoundary: r.PermissionsBoundary, Tags: ownedTags(r.Tags, owner, true),
		AttachedPolicies: sortedNames(r.ManagedPolicies), InlinePolicies: mapOrEmpty(r.InlinePolicies), Owned: true, Adopt: r.Adopt,
	}
}
