package views

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
)

// manualClock is a clock the test moves by hand.
type manualClock struct{ t time.Time }

func (c *manualClock) now() time.Time          { return c.t }
func (c *manualClock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newManualClock() *manualClock {
	return &manualClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}
func progressChange(i int) *model.Change {
	return &model.Change{Action: model.Create, Kind: model.KindRole, Address: fmt.Sprintf("role.r%d", i)}
}
func newTestProgress(total int, live bool, c *manualClock, b *strings.Builder) *Progress {
	p := NewProgress(b, Colors{}, total, live)
	p.now, p.start = c.now, c.now()
	p.retries.last = time.Time{}
	return p
}

func TestProgressLinePerChangeBelowThreshold(t *testing.T) {
	var b strings.Builder
	c := newManualClock()
	p := newTestProgress(2, false, c, &b)
	for i := range 2 {
		p.Started(progressChange(i))
		c.advance(time.Second)
		p.Finished(progressChange(i), time.Second, nil)
	}
	p.Close()
	want := fmt.Sprintf("role.r0: %s...\nrole.r0: created after 1s\nrole.r1: %s...\nrole.r1: created after 1s\n",
		engine.Describe(progressChange(0)), engine.Describe(progressChange(1)))
	if got := b.String(); got != want {
		t.Fatalf("got\n%s\nwant (a line per change, no counts)\n%s", got, want)
	}
}

func TestProgressCountsInTenthsOffTerminal(t *testing.T) {
	const total = 1000
	var b strings.Builder
	c := newManualClock()
	p := newTestProgress(total, false, c, &b)
	for i := range total {
		p.Started(progressChange(i))
		c.advance(100 * time.Millisecond)
		var err error
		if i == 10 {
			err = errors.New("AccessDenied: no")
		}
		p.Finished(progressChange(i), 100*time.Millisecond, err)
	}
	p.Close()
	out := b.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	var status []string
	for _, l := range lines {
		if strings.HasPrefix(l, "Applying:") {
			status = append(status, l)
		}
	}
	if len(status) != 10 {
		t.Fatalf("%d status lines, want one per tenth (10):\n%s", len(status), out)
	}
	if want := "Applying: 100 of 1,000 changes (10%), 1 failed; about 1m30s left"; status[0] != want {
		t.Errorf("first status line %q, want %q", status[0], want)
	}
	if want := "Applying: 1,000 of 1,000 changes (100%), 1 failed; done in 1m40s"; status[9] != want {
		t.Errorf("last status line %q, want %q", status[9], want)
	}
	if !strings.Contains(out, "role.r10: failed after 100ms: AccessDenied: no\n") {
		t.Errorf("the failure has no line of its own:\n%s", out)
	}
	if strings.Contains(out, "created after") || strings.Contains(out, "\r") {
		t.Errorf("a line per change, or a redraw, off a terminal:\n%.500s", out)
	}
}

func TestProgressRedrawsOneLineOnTerminal(t *testing.T) {
	const total = 300
	var b strings.Builder
	c := newManualClock()
	p := newTestProgress(total, true, c, &b)
	for i := range total {
		p.Started(progressChange(i))
		c.advance(10 * time.Millisecond)
		p.Finished(progressChange(i), 10*time.Millisecond, nil)
	}
	p.Close()
	out := b.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "Applying: 300 of 300 changes (100%); done in 3s\n") {
		t.Fatalf("want one line, redrawn, ending in the final status; got %q", out[max(0, len(out)-200):])
	}
	// At most one redraw per liveRedraw of the clock (3 s of 10 ms steps:
	// about 30), not one per event (600).
	if n := strings.Count(out, "\r\x1b[K"); n > 40 || n < 20 {
		t.Errorf("%d redraws, want about 30", n)
	}
}

func TestRetryLinesGroup(t *testing.T) {
	c := newManualClock()
	r := NewRetryLines("", Colors{})
	throttled := engine.RetryNotice{Op: "iam:CreateRole", Attempt: 2, Wait: time.Second, Reason: "Throttling: Rate exceeded"}
	r.Add("role.a", throttled)
	if got, want := r.Due(c.now(), false), "role.a: retrying iam:CreateRole (attempt 2, after 1s): Throttling: Rate exceeded\n"; got != want {
		t.Fatalf("first retry: %q, want %q (at once, whole)", got, want)
	}
	for i := range 30 {
		c.advance(100 * time.Millisecond)
		n := throttled
		if i%3 == 0 {
			n = engine.RetryNotice{Op: "iam:AttachRolePolicy", Attempt: 3, Wait: 2 * time.Second, Reason: "connection reset by peer (Post 127.0.0.1:4566)"}
		}
		r.Add(fmt.Sprintf("role.r%d", i), n)
		if got := r.Due(c.now(), false); got != "" && i < 29 {
			t.Fatalf("retry %d written before the window ended: %q", i, got)
		}
	}
	c.advance(2 * time.Second)
	want := "retrying 30 calls (iam:CreateRole 20, iam:AttachRolePolicy 10): Throttling: Rate exceeded 20, connection reset by peer (Post 127.0.0.1:4566) 10; attempts up to 3, waits up to 2s\n"
	if got := r.Due(c.now(), false); got != want {
		t.Fatalf("grouped:\n%q, want\n%q", got, want)
	}
	if got := r.Due(c.now(), true); got != "" {
		t.Errorf("nothing pending, yet %q", got)
	}
}

func TestProgressGroupsRetries(t *testing.T) {
	var b strings.Builder
	c := newManualClock()
	p := newTestProgress(2, false, c, &b)
	p.Started(progressChange(0))
	for range 50 {
		c.advance(10 * time.Millisecond)
		p.Retrying(progressChange(0), engine.RetryNotice{Op: "iam:CreateRole", Attempt: 2, Wait: 10 * time.Millisecond, Reason: "Throttling: Rate exceeded"})
	}
	p.Finished(progressChange(0), time.Second, nil)
	p.Close()
	if n := strings.Count(b.String(), "retrying"); n != 2 {
		t.Fatalf("%d retry lines for 50 retries within one window, want 2 (the first, then the rest):\n%s", n, b.String())
	}
	if !strings.Contains(b.String(), "retrying 49 calls (iam:CreateRole 49)") {
		t.Errorf("the rest not counted:\n%s", b.String())
	}
}
