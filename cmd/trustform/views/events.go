package views

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
)

// Events reports a plan and its apply as JSON lines: one object per line,
// each with a "type" and a "time" (RFC 3339, UTC). It is safe for the
// concurrent calls Apply makes, and every line is written whole with one
// Write.
//
// The events name objects and accounts only: no policy document, and none of
// a change's Before or After values, is ever written.
//
//	{"type":"plan","time":…,"add":2,"change":0,"destroy":0,"broadening":true,"applicable":true}
//	{"type":"access_change","time":…,"kind":"delegation","role":"arn:…:role/UpdateApp","principal":"arn:…:root","before":null,"after":[],"broadens":true,"today":["arn:…:user/David"]}
//	{"type":"change_started","time":…,"index":0,"address":"policy.rw","action":"create","kind":"policy","object":"managed policy \"rw\"","account":{"name":"production","id":"999999999999"}}
//	{"type":"change_finished",…,"elapsed_ms":1.234}
//	{"type":"change_failed",…,"elapsed_ms":0.5,"error":"…"}
//	{"type":"change_skipped",…,"reason":"it depends on …, which did not complete"}
//	{"type":"read_retry","time":…,"operation":"sts:GetCallerIdentity","attempt":2,"wait_ms":80,"reason":"…"}
//	{"type":"change_retry",…,"operation":"iam:CreateRole","attempt":2,"wait_ms":512,"reason":"Throttling: Rate exceeded"}
//	{"type":"change_already_applied",…,"reason":"… exists already as this change creates it (another run made it)"}
//	{"type":"apply_complete","time":…,"add":2,"change":0,"destroy":0,"completed":2,"failed":0,"skipped":0,"retries":0}
//	{"type":"apply_failed",…,"error":"…","errors":["…"]}
type Events struct {
	mu      sync.Mutex
	w       io.Writer
	now     func() time.Time
	index   map[*model.Change]int
	err     error // the first write error
	counted struct{ completed, failed, skipped int }
	retries int
}

// NewEvents returns an event view writing to w. changes are the plan's
// changes, in order, so that events carry each change's index in the plan;
// a change not among them is reported without an index. now stamps the
// events (time.Now when nil).
func NewEvents(w io.Writer, changes []*model.Change, now func() time.Time) *Events {
	if now == nil {
		now = time.Now
	}
	index := make(map[*model.Change]int, len(changes))
	for i, c := range changes {
		index[c] = i
	}
	return &Events{w: w, now: now, index: index}
}

var _ engine.Hooks = (*Events)(nil)

// The event types.
const (
	EventPlan           = "plan"
	EventAccessChange   = "access_change"
	EventChangeStarted  = "change_started"
	EventChangeFinished = "change_finished"
	EventChangeFailed   = "change_failed"
	EventChangeSkipped  = "change_skipped"
	EventChangeRetry    = "change_retry"
	EventReadRetry      = "read_retry"
	EventAlreadyApplied = "change_already_applied"
	EventApplyComplete  = "apply_complete"
	EventApplyFailed    = "apply_failed"
)

type eventAccount struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

type changeEvent struct {
	Type      string       `json:"type"`
	Time      string       `json:"time"`
	Index     *int         `json:"index,omitempty"`
	Address   string       `json:"address"` // the change's address, unique in the plan
	Action    string       `json:"action"`
	Kind      string       `json:"kind"`
	Object    string       `json:"object"`
	Account   eventAccount `json:"account"`
	ElapsedMS *float64     `json:"elapsed_ms,omitempty"`
	Error     string       `json:"error,omitempty"`
	Reason    string       `json:"reason,omitempty"`
	// change_retry only.
	Operation string   `json:"operation,omitempty"`
	Attempt   int      `json:"attempt,omitempty"`
	WaitMS    *float64 `json:"wait_ms,omitempty"`
}

type planEvent struct {
	Type       string `json:"type"`
	Time       string `json:"time"`
	Add        int    `json:"add"`
	Change     int    `json:"change"`
	Destroy    int    `json:"destroy"`
	Adopt      int    `json:"adopt,omitempty"`
	Broadening bool   `json:"broadening"`
	Applicable bool   `json:"applicable"`
}

type applyEvent struct {
	Type    string `json:"type"`
	Time    string `json:"time"`
	Add     int    `json:"add"`
	Change  int    `json:"change"`
	Destroy int    `json:"destroy"`
	// What the hooks saw: changes that succeeded, failed and were skipped.
	Completed int      `json:"completed"`
	Failed    int      `json:"failed"`
	Skipped   int      `json:"skipped"`
	Retries   int      `json:"retries"` // calls re-sent, all changes together
	Error     string   `json:"error,omitempty"`
	Errors    []string `json:"errors,omitempty"`
}

// Started implements engine.Hooks.
func (e *Events) Started(c *model.Change) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.write(e.change(EventChangeStarted, c))
}

// Finished implements engine.Hooks.
func (e *Events) Finished(c *model.Change, elapsed time.Duration, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev := e.change(EventChangeFinished, c)
	ms := milliseconds(elapsed)
	ev.ElapsedMS = &ms
	if err != nil {
		ev.Type, ev.Error = EventChangeFailed, err.Error()
		e.counted.failed++
	} else {
		e.counted.completed++
	}
	e.write(ev)
}

// Retrying implements engine.RetryHooks: every retry is an event.
func (e *Events) Retrying(c *model.Change, n engine.RetryNotice) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev := e.change(EventChangeRetry, c)
	ms := milliseconds(n.Wait)
	ev.Operation, ev.Attempt, ev.WaitMS, ev.Reason = n.Op, n.Attempt, &ms, n.Reason
	e.retries++
	e.write(ev)
}

type readRetryEvent struct {
	Type      string  `json:"type"`
	Time      string  `json:"time"`
	Operation string  `json:"operation"`
	Attempt   int     `json:"attempt"`
	WaitMS    float64 `json:"wait_ms"`
	Reason    string  `json:"reason"`
}

// ReadRetry writes a "read_retry" event: a call retried while the accounts
// were read for the plan, before any change.
func (e *Events) ReadRetry(n engine.RetryNotice) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.retries++
	e.write(readRetryEvent{Type: EventReadRetry, Time: e.stamp(), Operation: n.Op, Attempt: n.Attempt, WaitMS: milliseconds(n.Wait), Reason: n.Reason})
}

// AlreadyApplied implements engine.AlreadyAppliedHooks: the change counts as
// completed, by another run.
func (e *Events) AlreadyApplied(c *model.Change, detail string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev := e.change(EventAlreadyApplied, c)
	ev.Reason = detail
	e.counted.completed++
	e.write(ev)
}

// Skipped implements engine.Hooks.
func (e *Events) Skipped(c *model.Change, reason string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev := e.change(EventChangeSkipped, c)
	ev.Reason = reason
	e.counted.skipped++
	e.write(ev)
}

// PlanSummary writes a "plan" event: what the plan adds, changes and
// destroys, whether it broadens access and whether it may be applied. Call
// it after the plan's expectations and access changes are filled in.
func (e *Events) PlanSummary(p *model.Plan) {
	add, change, destroy := p.Counts()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.write(planEvent{
		Type: EventPlan, Time: e.stamp(),
		Add: add, Change: change, Destroy: destroy, Adopt: p.Adoptions(),
		Broadening: p.Broadening(), Applicable: p.Applicable(),
	})
	for _, a := range p.Access {
		// As in the JSON plan, principals are written as policies write
		// them, the role by its ARN.
		ev := accessEvent{Type: EventAccessChange, Time: e.stamp(), Kind: a.Kind, Role: a.Role.ARN(), Principal: a.Principal.String(),
			Before: a.Before, After: a.After, Broadens: a.Broadens()}
		if ev.Kind == "" {
			ev.Kind = model.AccessPrincipal
		}
		if !a.CanBefore {
			ev.Before = nil
		} else if ev.Before == nil {
			ev.Before = []string{}
		}
		if !a.CanAfter {
			ev.After = nil
		} else if ev.After == nil {
			ev.After = []string{}
		}
		if a.IsDelegation() && a.TodayKnown {
			ev.Today = []string{}
			for _, t := range a.Today {
				ev.Today = append(ev.Today, t.String())
			}
		}
		e.write(ev)
	}
}

// accessEvent is one access change of the plan, as in the JSON plan's
// access_changes: written after the plan event, before any change starts,
// so a pipeline can stop a broadening apply from the stream alone.
type accessEvent struct {
	Type      string   `json:"type"`
	Time      string   `json:"time"`
	Kind      string   `json:"kind"` // "principal" or "delegation"
	Role      string   `json:"role"`
	Principal string   `json:"principal"`
	Before    []string `json:"before"` // null when it could not
	After     []string `json:"after"`  // null when it cannot
	Broadens  bool     `json:"broadens"`
	Today     []string `json:"today"` // delegations: who in the trusted account can assume the role; else null
}

// ApplyComplete writes the last event of an apply: "apply_complete" when err
// is nil, else "apply_failed" with the error. For an aggregate of errors
// (what Apply returns), "errors" lists each and "error" is them one a line. add, change and destroy are the counts the caller
// reports (the plan's); completed, failed and skipped are what this view
// was told by Apply.
func (e *Events) ApplyComplete(add, change, destroy int, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev := applyEvent{
		Type: EventApplyComplete, Time: e.stamp(),
		Add: add, Change: change, Destroy: destroy,
		Completed: e.counted.completed, Failed: e.counted.failed, Skipped: e.counted.skipped, Retries: e.retries,
	}
	if err != nil {
		ev.Type, ev.Error = EventApplyFailed, err.Error()
		for _, w := range wrappedErrors(err) {
			ev.Errors = append(ev.Errors, w.Error())
		}
		if len(ev.Errors) > 0 {
			// Not go-multierror's bulleted text: one line per error.
			ev.Error = strings.Join(ev.Errors, "\n")
		}
	}
	e.write(ev)
}

// Err returns the first error writing an event, if any; later events are
// not written after one.
func (e *Events) Err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// change builds the event of a change: names only, never its documents.
// Called with mu held.
func (e *Events) change(typ string, c *model.Change) changeEvent {
	ev := changeEvent{
		Type:    typ,
		Time:    e.stamp(),
		Address: c.Address,
		Action:  string(c.Action),
		Kind:    string(c.Kind),
		Object:  engine.ObjectName(c),
		Account: eventAccount{Name: c.Account.Name, ID: c.Account.ID},
	}
	if i, ok := e.index[c]; ok {
		ev.Index = &i
	}
	return ev
}

func (e *Events) stamp() string { return e.now().UTC().Format(time.RFC3339Nano) }

// write encodes v as one line and writes it with a single Write. Called with
// mu held.
func (e *Events) write(v any) {
	if e.err != nil {
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode ends the line with '\n'
		e.err = err
		return
	}
	if _, err := e.w.Write(buf.Bytes()); err != nil {
		e.err = err
	}
}

// milliseconds is d in milliseconds, to the microsecond.
func milliseconds(d time.Duration) float64 {
	if d < 0 {
		d = 0
	}
	return float64(d.Microseconds()) / 1000
}

// wrappedErrors lists the errors an aggregate holds (go-multierror's, found
// through any wrapping, or errors.Join's), or nil for a single error.
func wrappedErrors(err error) []error {
	var multi interface{ WrappedErrors() []error }
	if errors.As(err, &multi) {
		return multi.WrappedErrors()
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		return joined.Unwrap()
	}
	return nil
}
