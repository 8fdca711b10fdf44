package local

import (
	"context"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
)

// simCall is what a handler of the local target works on: the simulation
// being changed and the account of the change.
type simCall struct {
	s *sim
	a *simAccount
}

// handlers carry out each kind of change as the IAM calls a real client
// would make. Roles, groups and users in a change carry only their own
// attributes here; their policies and memberships travel as changes of their
// own, so the AttachedPolicies, InlinePolicies and Groups fields are ignored.
var handlers = newHandlers()

func newHandlers() *engine.Handlers[simCall] {
	hs := engine.NewHandlers[simCall]("local target")
	engine.Register(hs, model.KindRole, engine.Handler[simCall, *model.Role]{
		Create: func(c simCall, _ context.Context, r *model.Role) error { return c.s.createRole(c.a, r) },
		Update: func(c simCall, _ context.Context, before, after *model.Role) error {
			return c.s.updateRole(c.a, before, after)
		},
		Delete: func(c simCall, _ context.Context, r *model.Role) error { return c.s.deleteRole(c.a, r.Name) },
	})
	engine.Register(hs, model.KindPolicy, engine.Handler[simCall, *model.ManagedPolicy]{
		Create: func(c simCall, _ context.Context, p *model.ManagedPolicy) error { return c.s.createPolicy(c.a, p) },
		Update: func(c simCall, _ context.Context, before, after *model.ManagedPolicy) error {
			return c.s.updatePolicy(c.a, before, after)
		},
		Delete: func(c simCall, _ context.Context, p *model.ManagedPolicy) error { return c.s.deletePolicy(c.a, p.Name) },
	})
	engine.Register(hs, model.KindGroup, engine.Handler[simCall, *model.Group]{
		Create: func(c simCall, _ context.Context, g *model.Group) error { return c.s.createGroup(c.a, g) },
		Update: func(c simCall, _ context.Context, before, after *model.Group) error {
			return c.s.updateGroup(c.a, before, after)
		},
		Delete: func(c simCall, _ context.Context, g *model.Group) error { return c.s.deleteGroup(c.a, g.Name) },
	})
	engine.Register(hs, model.KindUser, engine.Handler[simCall, *model.User]{
		Create: func(c simCall, _ context.Context, u *model.User) error { return c.s.createUser(c.a, u) },
		Update: func(c simCall, _ context.Context, before, after *model.User) error {
			return c.s.updateUser(c.a, before, after)
		},
		Delete: func(c simCall, _ context.Context, u *model.User) error { return c.s.deleteUser(c.a, u.Name) },
	})
	engine.Register(hs, model.KindInline, engine.Handler[simCall, *model.InlinePolicy]{
		Create: func(c simCall, _ context.Context, p *model.InlinePolicy) error { return c.s.putInline(c.a, p) },
		Update: func(c simCall, _ context.Context, _, after *model.InlinePolicy) error {
			return c.s.putInline(c.a, after)
		},
		Delete: func(c simCall, _ context.Context, p *model.InlinePolicy) error { return c.s.deleteInline(c.a, p) },
	})
	engine.Register(hs, model.KindAttachment, engine.Handler[simCall, *model.Attachment]{
		Create: func(c simCall, _ context.Context, at *model.Attachment) error { return c.s.attach(c.a, at) },
		Delete: func(c simCall, _ context.Context, at *model.Attachment) error { return c.s.detach(c.a, at) },
	})
	engine.Register(hs, model.KindMembership, engine.Handler[simCall, *model.Membership]{
		Create: func(c simCall, _ context.Context, m *model.Membership) error { return c.s.addUserToGroup(c.a, m) },
		Delete: func(c simCall, _ context.Context, m *model.Membership) error { return c.s.removeUserFromGroup(c.a, m) },
	})
	return hs
}

// applyChange carries out one engine change with the handler of its kind.
func (s *sim) applyChange(a *simAccount, ch *model.Change) error {
	return handlers.Apply(context.Background(), simCall{s, a}, ch)
}

// HandledKinds lists the kinds of change the local target carries out.
func (p *Provider) HandledKinds() []model.Kind { return handlers.Kinds() }
