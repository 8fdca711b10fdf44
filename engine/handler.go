package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/trustform/trustform/engine/model"
)

// A target carries out changes one kind at a time: each kind of object has
// a Handler, a struct of the functions its actions take, registered in the
// target's Handlers. Adding a kind to a target is adding one entry; the
// conformance suite checks that every target has an entry for every kind
// (model.ChangeKinds), and the dispatch (the kind's objects checked, the
// action picked, an impossible one refused) is written once, here.

// Handler carries out the changes of one kind of object, whose Before and
// After are of type T, on a target whose per-change context is C (the local
// simulation's account, the aws target's call state). A nil function is an
// action the kind does not have: an attachment is never updated. The
// context comes second so that a method of C registers as its method
// expression, (*applier).createRole.
type Handler[C any, T model.Object] struct {
	Create func(c C, ctx context.Context, after T) error
	Update func(c C, ctx context.Context, before, after T) error
	Delete func(c C, ctx context.Context, before T) error
	// Current reads the object of an update or delete as it is just
	// before the write (nil when it does not exist), for CheckCurrent; nil
	// for a kind the target does not read again (see CheckCurrent).
	Current func(c C, ctx context.Context, o T) (model.Object, error)
}

// Handlers are a target's handlers, by kind.
type Handlers[C any] struct {
	target  string // names the target in errors, e.g. "aws target"
	byKind  map[model.Kind]func(ctx context.Context, c C, ch *model.Change) error
	current map[model.Kind]func(ctx context.Context, c C, o model.Object) (model.Object, error)
}

// NewHandlers starts a target's registry.
func NewHandlers[C any](target string) *Handlers[C] {
	return &Handlers[C]{target: target, byKind: map[model.Kind]func(context.Context, C, *model.Change) error{},
		current: map[model.Kind]func(context.Context, C, model.Object) (model.Object, error){}}
}

// Register adds the handler of one kind. It is a function, not a method,
// because a method cannot take the type parameter T of the kind's objects.
func Register[C any, T model.Object](hs *Handlers[C], kind model.Kind, h Handler[C, T]) {
	hs.byKind[kind] = func(ctx context.Context, c C, ch *model.Change) error {
		before, after, err := model.ChangeObjects[T](ch)
		if err != nil {
			return fmt.Errorf("%s: %w", hs.target, err)
		}
		switch {
		case ch.Action == model.Create && h.Create != nil:
			return h.Create(c, ctx, after)
		case ch.Action == model.Update && h.Update != nil:
			return h.Update(c, ctx, before, after)
		case ch.Action == model.Delete && h.Delete != nil:
			return h.Delete(c, ctx, before)
		}
		return fmt.Errorf("%s: change %s: action %q is not possible on a %s", hs.target, ch.Key, ch.Action, ch.Kind)
	}
	if h.Current != nil {
		hs.current[kind] = func(ctx context.Context, c C, o model.Object) (model.Object, error) {
			v, ok := o.(T)
			if !ok {
				return nil, fmt.Errorf("%s: a %s object is a %T", hs.target, kind, o)
			}
			return h.Current(c, ctx, v)
		}
	}
}

// Apply carries out one change with the handler of its kind.
func (hs *Handlers[C]) Apply(ctx context.Context, c C, ch *model.Change) error {
	h, ok := hs.byKind[ch.Kind]
	if !ok {
		return fmt.Errorf("%s: change %s: unknown kind %q", hs.target, ch.Key, ch.Kind)
	}
	return h(ctx, c, ch)
}

// Current reads the object of an update or delete with its kind's Current,
// as it is just before the write; reread is false for a change its kind
// does not read again (a create, or a kind without Current).
func (hs *Handlers[C]) Current(ctx context.Context, c C, ch *model.Change) (current model.Object, reread bool, err error) {
	read, ok := hs.current[ch.Kind]
	var obj model.Object
	switch ch.Action {
	case model.Update:
		obj = ch.After
	case model.Delete:
		obj = ch.Before
	}
	if !ok || model.Absent(obj) {
		return nil, false, nil
	}
	current, err = read(ctx, c, obj)
	return current, true, err
}

// Kinds lists the kinds that have a handler, sorted.
func (hs *Handlers[C]) Kinds() []model.Kind {
	var out []model.Kind
	for k := range hs.byKind {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// KindLister is what a target offers for the conformance suite's check that
// it handles every kind of change.
type KindLister interface {
	HandledKinds() []model.Kind
}
