package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trustform/trustform/engine"
)

// retryWindow is the least time between two lines of grouped retries.
const retryWindow = 5 * time.Second

// RetryLines groups the retries of many calls into few lines: the first
// retry is reported at once, with what was being done; later ones at most
// once a Window, as a count by operation and by reason. An endpoint that
// throttles an apply of a thousand accounts retries hundreds of calls, and
// a line each would bury the failures that matter.
type RetryLines struct {
	Window time.Duration
	// Prefix starts every line, e.g. "reading: " for the retries of the
	// accounts' read.
	Prefix  string
	c       Colors
	last    time.Time
	pending []retried
}

type retried struct {
	label string
	n     engine.RetryNotice
}

// NewRetryLines returns grouped retry lines with the default window.
func NewRetryLines(prefix string, c Colors) *RetryLines {
	return &RetryLines{Window: retryWindow, Prefix: prefix, c: c}
}

// Add records a retry of the change or account named by label ("" for none).
func (r *RetryLines) Add(label string, n engine.RetryNotice) {
	r.pending = append(r.pending, retried{label, n})
}

// Due returns the lines to write now, or "": nothing pending, or the last
// lines were written less than a Window ago (force writes them anyway).
func (r *RetryLines) Due(now time.Time, force bool) string {
	if len(r.pending) == 0 || (!force && !r.last.IsZero() && now.Sub(r.last) < r.Window) {
		return ""
	}
	r.last = now
	p := r.pending
	r.pending = nil
	if len(p) == 1 {
		who := ""
		if p[0].label != "" {
			who = p[0].label + ": "
		}
		n := p[0].n
		return fmt.Sprintf("%s%s%sretrying%s %s (attempt %d, after %s): %s\n", r.Prefix, who, r.c.Yellow, r.c.Reset, n.Op, n.Attempt, round(n.Wait), n.Reason)
	}
	ops, reasons := map[string]int{}, map[string]int{}
	attempt, wait := 0, time.Duration(0)
	for _, x := range p {
		ops[x.n.Op]++
		reasons[shortReason(x.n.Reason)]++
		attempt, wait = max(attempt, x.n.Attempt), max(wait, x.n.Wait)
	}
	return fmt.Sprintf("%s%sretrying%s %s calls (%s): %s; attempts up to %d, waits up to %s\n", r.Prefix, r.c.Yellow, r.c.Reset,
		thousands(len(p)), counted(ops, 0), counted(reasons, 3), attempt, round(wait))
}

// counted lists "name count" pairs, the most frequent first (then by name),
// at most limit of them (0 for all) and how many others.
func counted(m map[string]int, limit int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	var parts []string
	others := 0
	for i, k := range keys {
		if limit > 0 && i >= limit {
			others += m[k]
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s", k, thousands(m[k])))
	}
	if others > 0 {
		parts = append(parts, fmt.Sprintf("other reasons %s", thousands(others)))
	}
	return strings.Join(parts, ", ")
}

// shortReason keeps a reason to its first line and 120 characters, so that
// reasons differing only in a request ID past that still group.
func shortReason(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}
