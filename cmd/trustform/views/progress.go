package views

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
)

// ProgressThreshold is the number of changes from which an apply reports
// progress as counts rather than a line per change: at 14,000 changes the
// lines would be 28,000, and what a person watching needs is how far it is
// and how long is left; failures still get a line each.
const ProgressThreshold = 200

// Progress reports an apply as it runs. Below ProgressThreshold changes it
// writes a line per change as it starts and ends, as Terraform does. From
// there it keeps counts: on a terminal (live) one status line rewritten in
// place, with an estimate of the time left; elsewhere (a CI log) a plain
// status line at every tenth of the changes. Retries are grouped in both:
// the first at once, then at most one line per retryWindow saying how many
// calls were retried and why, so that throttling across a thousand accounts
// reads as one fact rather than hundreds of lines. It is safe for the
// concurrent calls Apply makes; Close ends it.
type Progress struct {
	mu   sync.Mutex
	w    io.Writer
	c    Colors
	now  func() time.Time
	live bool

	total      int
	counting   bool // ProgressThreshold changes or more
	start      time.Time
	done       int // finished without error
	failed     int
	skipped    int
	inFlight   int
	nextTenth  int       // the next tenth at which a plain status line is due
	drawn      bool      // a live status line is on the screen
	lastDrawn  time.Time // when it was last drawn
	skipsShown int

	retries RetryLines
}

// skipsShownWhenCounting is how many skipped changes get a line of their
// own when counting: the first say why; the rest follow from them.
const skipsShownWhenCounting = 5

// liveRedraw is the least time between two redraws of the live line.
const liveRedraw = 100 * time.Millisecond

// NewProgress returns a progress view of an apply of total changes writing
// to w; live says that w is a terminal, whose last line may be rewritten.
func NewProgress(w io.Writer, c Colors, total int, live bool) *Progress {
	p := &Progress{w: w, c: c, now: time.Now, total: total, counting: total >= ProgressThreshold, live: live, nextTenth: 1}
	p.start = p.now()
	p.retries = *NewRetryLines("", c)
	return p
}

var _ engine.Hooks = (*Progress)(nil)

// Started implements engine.Hooks.
func (p *Progress) Started(ch *model.Change) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushRetries(false)
	p.inFlight++
	if !p.counting {
		fmt.Fprintf(p.w, "%s: %s...\n", label(ch), engine.Describe(ch))
		return
	}
	p.status(false)
}

// Retrying implements engine.RetryHooks.
func (p *Progress) Retrying(ch *model.Change, n engine.RetryNotice) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.retries.Add(label(ch), n)
	p.flushRetries(false)
}

// AlreadyApplied implements engine.AlreadyAppliedHooks: another run made
// the change first, and this one stands aside.
func (p *Progress) AlreadyApplied(ch *model.Change, detail string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.line("%s: %salready applied%s, standing aside: %s\n", label(ch), p.c.Yellow, p.c.Reset, detail)
}

// Finished implements engine.Hooks.
func (p *Progress) Finished(ch *model.Change, elapsed time.Duration, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushRetries(false)
	p.inFlight--
	if err != nil {
		p.failed++
		p.line("%s: %sfailed%s after %s: %v\n", label(ch), p.c.Red, p.c.Reset, round(elapsed), err)
		p.status(false)
		return
	}
	p.done++
	if !p.counting {
		fmt.Fprintf(p.w, "%s: %s after %s\n", label(ch), pastTense[ch.Action], round(elapsed))
		return
	}
	p.status(false)
}

// Skipped implements engine.Hooks.
func (p *Progress) Skipped(ch *model.Change, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.skipped++
	if !p.counting || p.skipsShown < skipsShownWhenCounting {
		p.skipsShown++
		p.line("%s: %sskipped%s: %s\n", label(ch), p.c.Yellow, p.c.Reset, reason)
	}
	p.status(false)
}

// Close writes what is still pending: the retries not yet reported and, when
// counting, the final status (on a terminal, the status line is ended).
func (p *Progress) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushRetries(true)
	if !p.counting {
		return
	}
	p.status(true)
	if p.live && p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
	if hidden := p.skipped - p.skipsShown; hidden > 0 {
		fmt.Fprintf(p.w, "%s more change%s skipped (the next plan shows them)\n", thousands(hidden), plural(hidden))
	}
}

// flushRetries writes the grouped retry lines when they are due (or all of
// them, with force).
func (p *Progress) flushRetries(force bool) {
	if text := p.retries.Due(p.now(), force); text != "" {
		p.line("%s", text)
	}
}

// line writes a whole line; on a terminal it first clears the status line
// and draws it again after.
func (p *Progress) line(format string, args ...any) {
	if p.live && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
	fmt.Fprintf(p.w, format, args...)
	if p.live && p.counting {
		p.status(true)
	}
}

// status writes the counts: on a terminal, redrawn in place (at most every
// liveRedraw unless force); elsewhere a line at each tenth of the changes
// finished, and with force.
func (p *Progress) status(force bool) {
	if !p.counting {
		return
	}
	now := p.now()
	finished := p.done + p.failed + p.skipped
	if p.live {
		if !force && p.drawn && now.Sub(p.lastDrawn) < liveRedraw && finished < p.total {
			return
		}
		fmt.Fprintf(p.w, "\r\x1b[K%s", p.statusText(now))
		p.drawn, p.lastDrawn = true, now
		return
	}
	if tenth := finished * 10 / max(p.total, 1); tenth >= p.nextTenth || (force && finished < p.total) {
		p.nextTenth = tenth + 1
		fmt.Fprintln(p.w, p.statusText(now))
	}
}

// statusText is "Applying: 1,234 of 14,000 changes (8%), 32 in progress,
// 1 failed; about 3m20s left".
func (p *Progress) statusText(now time.Time) string {
	finished := p.done + p.failed + p.skipped
	text := fmt.Sprintf("%sApplying:%s %s of %s changes (%d%%)", p.c.Bold, p.c.Reset, thousands(finished), thousands(p.total), finished*100/max(p.total, 1))
	if p.inFlight > 0 {
		text += fmt.Sprintf(", %s in progress", thousands(p.inFlight))
	}
	if p.failed > 0 {
		text += fmt.Sprintf(", %s%s failed%s", p.c.Red, thousands(p.failed), p.c.Reset)
	}
	if p.skipped > 0 {
		text += fmt.Sprintf(", %s skipped", thousands(p.skipped))
	}
	elapsed := now.Sub(p.start)
	switch {
	case finished >= p.total:
		text += fmt.Sprintf("; done in %s", elapsed.Round(time.Second))
	case finished > 0:
		// The rate so far, applied to what is left: throttling and
		// dependency order make it rough, and it says so ("about").
		left := time.Duration(float64(elapsed) / float64(finished) * float64(p.total-finished))
		text += fmt.Sprintf("; about %s left", left.Round(time.Second))
	}
	return text
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
