package views

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
)

// Progress reports an apply a line per change as it starts and ends. It is
// safe for the concurrent calls Apply makes.
type Progress struct {
	mu sync.Mutex
	w  io.Writer
	c  Colors
}

// NewProgress returns a progress view writing to w.
func NewProgress(w io.Writer, c Colors) *Progress { return &Progress{w: w, c: c} }

var _ engine.Hooks = (*Progress)(nil)

// Started implements engine.Hooks.
func (p *Progress) Started(ch *model.Change) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s: %s...\n", label(ch), engine.Describe(ch))
}

// Retrying implements engine.RetryHooks: a line per retry, so that a slow
// apply shows why it is slow.
func (p *Progress) Retrying(ch *model.Change, n engine.RetryNotice) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s: %sretrying%s %s (attempt %d, after %s): %s\n", label(ch), p.c.Yellow, p.c.Reset, n.Op, n.Attempt, round(n.Wait), n.Reason)
}

// AlreadyApplied implements engine.AlreadyAppliedHooks: another run made
// the change first, and this one stands aside.
func (p *Progress) AlreadyApplied(ch *model.Change, detail string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s: %salready applied%s, standing aside: %s\n", label(ch), p.c.Yellow, p.c.Reset, detail)
}

// Finished implements engine.Hooks.
func (p *Progress) Finished(ch *model.Change, elapsed time.Duration, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		fmt.Fprintf(p.w, "%s: %sfailed%s after %s: %v\n", label(ch), p.c.Red, p.c.Reset, round(elapsed), err)
		return
	}
	fmt.Fprintf(p.w, "%s: %s after %s\n", label(ch), pastTense[ch.Action], round(elapsed))
}

// Skipped implements engine.Hooks.
func (p *Progress) Skipped(ch *model.Change, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "%s: %sskipped%s: %s\n", label(ch), p.c.Yellow, p.c.Reset, reason)
}

var pastTense = map[model.Action]string{model.Create: "created", model.Update: "updated", model.Delete: "destroyed", model.Adopt: "adopted"}

func label(ch *model.Change) string {
	if ch.Address != "" {
		return ch.Address
	}
	return ch.Account.Name
}

func round(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
