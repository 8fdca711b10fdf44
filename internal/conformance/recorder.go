package conformance

import (
	"context"
	"sync"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
)

// recorder wraps a target's provider to observe what the engine asks of it:
// how often it reads and applies, and when each change starts and ends. The
// order of calls is what proves that deletes are ordered the way IAM needs,
// even on a target (moto) that does not refuse a delete out of order.
// Optionally it reports another account's identity, as credentials for the
// wrong account would.
type recorder struct {
	engine.Provider
	// identities replaces the identity reported for an account ID.
	identities map[string]engine.Identity

	mu      sync.Mutex
	clock   int // counts starts and ends of Apply calls
	reads   int
	applies int
	events  []*applyEvent
}

// applyEvent is one Apply call: when it started and ended on the recorder's
// clock, and how.
type applyEvent struct {
	change         *model.Change
	started, ended int
	err            error
}

func record(p engine.Provider) *recorder { return &recorder{Provider: p} }

func (r *recorder) Identity(ctx context.Context, a *model.AccountConfig) (engine.Identity, error) {
	if id, ok := r.identities[a.ID]; ok {
		return id, nil
	}
	return r.Provider.Identity(ctx, a)
}

func (r *recorder) Read(ctx context.Context, a *model.AccountConfig) (*model.Account, error) {
	r.mu.Lock()
	r.reads++
	r.mu.Unlock()
	return r.Provider.Read(ctx, a)
}

func (r *recorder) Apply(ctx context.Context, a *model.AccountConfig, c *model.Change) error {
	r.mu.Lock()
	r.applies++
	r.clock++
	ev := &applyEvent{change: c, started: r.clock}
	r.events = append(r.events, ev)
	r.mu.Unlock()

	err := r.Provider.Apply(ctx, a, c)

	r.mu.Lock()
	r.clock++
	ev.ended, ev.err = r.clock, err
	r.mu.Unlock()
	return err
}

// counts returns how many reads and applies the recorder has seen.
func (r *recorder) counts() (reads, applies int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reads, r.applies
}
