package views

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trustform/trustform/engine/model"

	"github.com/hashicorp/go-multierror"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/providers/local"
)

const (
	evProdID = "999999999999"
	evAllow  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	// IAM refuses a Principal in a managed policy (MalformedPolicyDocument).
	evWithPrincipal = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Principal":"*"}]}`
	evTrust         = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}`
)

// evConfig is a tiny stack: a managed policy, a role and the attachment of
// the one to the other, which depends on both.
func evConfig(policyDocument string) *model.Config {
	return &model.Config{
		Stack:    model.StackConfig{Name: "events"},
		Accounts: []*model.AccountConfig{{Address: "account.production", Name: "production", ID: evProdID, Partition: "aws"}},
		Policies: []*model.PolicyConfig{{Address: "policy.rw", Account: evProdID, Name: "rw", Document: policyDocument}},
		Roles: []*model.RoleConfig{{Address: "role.target", Account: evProdID, Name: "Target", MaxSessionDuration: 3600, TrustDocument: evTrust,
			ManagedPolicies: []string{model.PolicyARN("aws", evProdID, "/", "rw")}}},
	}
}

// evClock is a deterministic clock: each call is one second after the last.
func evClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// evApply plans cfg on an empty local target and applies it with the given
// hooks (made from the plan), returning the plan and Apply's error.
func evApply(t *testing.T, cfg *model.Config, hooks func(*model.Plan) engine.Hooks) (*model.Plan, error) {
	t.Helper()
	ctx := context.Background()
	prov, err := local.Open(local.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prov.Close() })
	plan, err := engine.MakePlan(ctx, cfg, prov, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return plan, engine.Apply(ctx, plan, cfg, prov, engine.ApplyOptions{Hooks: hooks(plan)})
}

// runEvents applies cfg with an Events view, framed as the CLI frames it,
// and returns every line parsed.
func runEvents(t *testing.T, cfg *model.Config) (*model.Plan, []map[string]any, string) {
	t.Helper()
	var buf bytes.Buffer
	var ev *Events
	plan, err := evApply(t, cfg, func(p *model.Plan) engine.Hooks {
		ev = NewEvents(&buf, p.Changes, evClock())
		ev.PlanSummary(p)
		return ev
	})
	add, change, destroy := plan.Counts()
	ev.ApplyComplete(add, change, destroy, err)
	if ev.Err() != nil {
		t.Fatal(ev.Err())
	}
	out := buf.String()
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("the stream does not end with a newline:\n%s", out)
	}
	var events []map[string]any
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, line)
		}
		if _, err := time.Parse(time.RFC3339Nano, m["time"].(string)); err != nil || !strings.HasSuffix(m["time"].(string), "Z") {
			t.Fatalf("line %d: time %v is not RFC 3339 in UTC", i+1, m["time"])
		}
		events = append(events, m)
	}
	return plan, events, out
}

// byIndex groups the change events by plan index.
func byIndex(t *testing.T, events []map[string]any) map[int][]map[string]any {
	t.Helper()
	out := map[int][]map[string]any{}
	for _, e := range events {
		if !strings.HasPrefix(e["type"].(string), "change_") {
			continue
		}
		i, ok := e["index"].(float64)
		if !ok {
			t.Fatalf("change event without an index: %v", e)
		}
		out[int(i)] = append(out[int(i)], e)
	}
	return out
}

func TestEventsForAnApply(t *testing.T) {
	plan, events, out := runEvents(t, evConfig(evAllow))
	if len(plan.Changes) != 3 {
		t.Fatalf("want 3 changes (policy, role, attachment), got %d", len(plan.Changes))
	}
	first, last := events[0], events[len(events)-1]
	if first["type"] != "plan" || first["add"] != 3.0 || first["change"] != 0.0 || first["destroy"] != 0.0 || first["applicable"] != true {
		t.Fatalf("first event: %v", first)
	}
	if _, ok := first["broadening"].(bool); !ok {
		t.Fatalf("plan event without broadening: %v", first)
	}
	if last["type"] != "apply_complete" || last["add"] != 3.0 || last["completed"] != 3.0 || last["failed"] != 0.0 || last["skipped"] != 0.0 || last["error"] != nil {
		t.Fatalf("last event: %v", last)
	}
	if len(events) != 2+len(plan.Access)+2*len(plan.Changes) {
		t.Fatalf("%d events, want a plan, its access changes, a start and an end per change, and the end:\n%s", len(events), out)
	}
	changes := byIndex(t, events)
	for i, c := range plan.Changes {
		evs := changes[i]
		if len(evs) != 2 || evs[0]["type"] != "change_started" || evs[1]["type"] != "change_finished" {
			t.Fatalf("change %d (%s): want started then finished, got %v", i, engine.Describe(c), evs)
		}
		for _, e := range evs {
			acct, _ := e["account"].(map[string]any)
			if e["address"] != c.Address || e["action"] != "create" || e["kind"] != string(c.Kind) || e["object"] != engine.ObjectName(c) ||
				acct["name"] != "production" || acct["id"] != evProdID || len(acct) != 2 {
				t.Fatalf("change %d: event %v does not name %s", i, e, engine.Describe(c))
			}
		}
		if _, ok := evs[0]["elapsed_ms"]; ok {
			t.Fatalf("a start has no elapsed time: %v", evs[0])
		}
		if ms, ok := evs[1]["elapsed_ms"].(float64); !ok || ms < 0 {
			t.Fatalf("change %d: elapsed_ms %v", i, evs[1]["elapsed_ms"])
		}
		if _, ok := evs[1]["error"]; ok {
			t.Fatalf("a success has no error: %v", evs[1])
		}
	}
	// Names only: no document reaches the stream.
	for _, leak := range []string{"Statement", "s3:ListAllMyBuckets", "sts:AssumeRole", "Version"} {
		if strings.Contains(out, leak) {
			t.Fatalf("the events hold %q, part of a document:\n%s", leak, out)
		}
	}
}

func TestEventsForAFailure(t *testing.T) {
	plan, events, out := runEvents(t, evConfig(evWithPrincipal))
	changes := byIndex(t, events)
	var failed, skipped, finished int
	for i, c := range plan.Changes {
		evs := changes[i]
		switch c.Kind {
		case model.KindPolicy:
			if len(evs) != 2 || evs[0]["type"] != "change_started" || evs[1]["type"] != "change_failed" {
				t.Fatalf("the policy: want started then failed, got %v", evs)
			}
			if e, _ := evs[1]["error"].(string); !strings.Contains(e, "MalformedPolicyDocument") {
				t.Fatalf("the policy's failure does not carry IAM's error: %v", evs[1])
			}
			if ms, ok := evs[1]["elapsed_ms"].(float64); !ok || ms < 0 {
				t.Fatalf("failed change: elapsed_ms %v", evs[1]["elapsed_ms"])
			}
			failed++
		case model.KindAttachment:
			// Never started: skipped because the policy failed.
			if len(evs) != 1 || evs[0]["type"] != "change_skipped" {
				t.Fatalf("the attachment: want only skipped, got %v", evs)
			}
			if r, _ := evs[0]["reason"].(string); !strings.Contains(r, `managed policy "rw"`) || !strings.Contains(r, "did not complete") {
				t.Fatalf("the skip does not say why: %v", evs[0])
			}
			if _, ok := evs[0]["elapsed_ms"]; ok {
				t.Fatalf("a skip has no elapsed time: %v", evs[0])
			}
			skipped++
		default:
			if len(evs) != 2 || evs[1]["type"] != "change_finished" {
				t.Fatalf("%s: want started then finished, got %v", engine.Describe(c), evs)
			}
			finished++
		}
	}
	if failed != 1 || skipped != 1 || finished != 1 {
		t.Fatalf("failed %d, skipped %d, finished %d: want one of each\n%s", failed, skipped, finished, out)
	}
	last := events[len(events)-1]
	errs, _ := last["errors"].([]any)
	if last["type"] != "apply_failed" || !strings.Contains(fmt.Sprint(last["error"]), "MalformedPolicyDocument") || len(errs) != 1 ||
		last["completed"] != 1.0 || last["failed"] != 1.0 || last["skipped"] != 1.0 {
		t.Fatalf("last event: %v", last)
	}
	if strings.Contains(out, `"Principal"`) || strings.Contains(out, "s3:*") {
		t.Fatalf("the events hold the refused document:\n%s", out)
	}
}

// One exact line per kind of event: field names, order, UTC time, and no
// trace of the documents a change carries.
func TestEventsLines(t *testing.T) {
	zone := time.FixedZone("CEST", 2*60*60)
	now := func() time.Time { return time.Date(2025, 6, 1, 14, 0, 0, 500, zone) }
	create := &model.Change{Action: model.Create, Kind: model.KindRole, Address: "role.target",
		Account: model.AccountRef{Name: "production", ID: evProdID, Partition: "aws"},
		After:   &model.Role{Name: "Target", TrustPolicy: evTrust},
		Attrs:   []model.AttrDiff{{Name: "trust_policy", After: evTrust, IsPolicy: true}}}
	gone := &model.Change{Action: model.Delete, Kind: model.KindInline,
		Account: model.AccountRef{Name: "production", ID: evProdID, Partition: "aws"},
		Before:  &model.InlinePolicy{PrincipalKind: model.KindRole, PrincipalName: "Old", Name: "notes", Document: evAllow}}
	var buf bytes.Buffer
	ev := NewEvents(&buf, []*model.Change{{}, create}, now)
	ev.PlanSummary(&model.Plan{Changes: []*model.Change{create, gone}})
	ev.Started(create)
	ev.Retrying(create, engine.RetryNotice{Op: "iam:CreateRole", Attempt: 2, Wait: 512 * time.Millisecond, Reason: "Throttling: Rate exceeded"})
	ev.Finished(create, 1234567*time.Nanosecond, nil)
	ev.Finished(gone, 0, errors.New("NoSuchEntity: gone"))
	ev.Skipped(gone, "it depends on x, which did not complete")
	ev.ApplyComplete(1, 0, 1, multierror.Append(nil, errors.New("a"), errors.New("b")))
	const ts = `"time":"2025-06-01T12:00:00.0000005Z"`
	const role = `"address":"role.target","action":"create","kind":"role","object":"role \"Target\"","account":{"name":"production","id":"999999999999"}`
	const inline = `"address":"","action":"delete","kind":"inline_policy","object":"inline policy \"notes\" of role \"Old\"","account":{"name":"production","id":"999999999999"}`
	want := strings.Join([]string{
		`{"type":"plan",` + ts + `,"add":1,"change":0,"destroy":1,"broadening":false,"applicable":true}`,
		`{"type":"change_started",` + ts + `,"index":1,` + role + `}`,
		`{"type":"change_retry",` + ts + `,"index":1,` + role + `,"reason":"Throttling: Rate exceeded","operation":"iam:CreateRole","attempt":2,"wait_ms":512}`,
		`{"type":"change_finished",` + ts + `,"index":1,` + role + `,"elapsed_ms":1.234}`,
		`{"type":"change_failed",` + ts + `,` + inline + `,"elapsed_ms":0,"error":"NoSuchEntity: gone"}`,
		`{"type":"change_skipped",` + ts + `,` + inline + `,"reason":"it depends on x, which did not complete"}`,
		`{"type":"apply_failed",` + ts + `,"add":1,"change":0,"destroy":1,"completed":1,"failed":1,"skipped":1,"retries":1,"error":"a\nb","errors":["a","b"]}`,
	}, "\n") + "\n"
	if got := buf.String(); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

// lineWriter fails the test unless every Write is exactly one whole line.
type lineWriter struct {
	t     *testing.T
	mu    sync.Mutex
	lines int
}

func (w *lineWriter) Write(p []byte) (int, error) {
	if bytes.IndexByte(p, '\n') != len(p)-1 || !json.Valid(p) {
		w.t.Errorf("a write that is not one JSON line: %q", p)
	}
	w.mu.Lock()
	w.lines++
	w.mu.Unlock()
	return len(p), nil
}

func TestEventsConcurrentCallsWriteWholeLines(t *testing.T) {
	w := &lineWriter{t: t}
	changes := make([]*model.Change, 50)
	for i := range changes {
		changes[i] = &model.Change{Action: model.Create, Kind: model.KindUser, Address: fmt.Sprintf("user.u%d", i),
			After: &model.User{Name: fmt.Sprintf("U%d", i)}}
	}
	ev := NewEvents(w, changes, nil)
	var wg sync.WaitGroup
	for _, c := range changes {
		wg.Go(func() {
			ev.Started(c)
			ev.Finished(c, time.Millisecond, nil)
		})
	}
	wg.Wait()
	ev.ApplyComplete(len(changes), 0, 0, nil)
	if w.lines != 2*len(changes)+1 {
		t.Fatalf("%d lines, want %d", w.lines, 2*len(changes)+1)
	}
}

type failingWriter struct{ writes int }

func (w *failingWriter) Write([]byte) (int, error) { w.writes++; return 0, errors.New("broken pipe") }

func TestEventsKeepTheFirstWriteError(t *testing.T) {
	w := &failingWriter{}
	ev := NewEvents(w, nil, nil)
	c := &model.Change{Action: model.Create, Kind: model.KindGroup, After: &model.Group{Name: "G"}}
	ev.Started(c)
	ev.Finished(c, 0, nil)
	if ev.Err() == nil || w.writes != 1 {
		t.Fatalf("err %v after %d writes: want the first error, and no write after it", ev.Err(), w.writes)
	}
}

// The progress view prints no escape sequence (colour or cursor movement)
// with the zero Colors the CLI chooses when the output is not a terminal.
func TestProgressWithoutColorsPrintsNoEscapes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		colors Colors
		escape bool
	}{
		{"zero", Colors{}, false},
		{"ansi", ANSI(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			// A failure and a skip: the lines that use colour.
			_, err := evApply(t, evConfig(evWithPrincipal), func(*model.Plan) engine.Hooks { return NewProgress(&buf, tc.colors, 3, false) })
			if err == nil {
				t.Fatal("want the policy refused")
			}
			out := buf.String()
			if !strings.Contains(out, "failed") || !strings.Contains(out, "skipped") {
				t.Fatalf("want a failure and a skip in:\n%s", out)
			}
			if got := strings.ContainsRune(out, 0x1b); got != tc.escape {
				t.Fatalf("escape byte present = %v, want %v:\n%q", got, tc.escape, out)
			}
		})
	}
}

func TestEventsListAggregatedErrors(t *testing.T) {
	multi := multierror.Append(nil, errors.New("a"), errors.New("b"))
	for _, tc := range []struct {
		name string
		err  error
		want string // the "error" and "errors" fields
	}{
		{"single", errors.New("a"), `"error":"a"}`},
		{"multierror wrapped", fmt.Errorf("apply: %w", multi), `"error":"a\nb","errors":["a","b"]}`},
		{"errors.Join", errors.Join(errors.New("a"), errors.New("b")), `"error":"a\nb","errors":["a","b"]}`},
	} {
		var buf bytes.Buffer
		NewEvents(&buf, nil, nil).ApplyComplete(0, 0, 0, tc.err)
		if got := strings.TrimSuffix(buf.String(), "\n"); !strings.HasSuffix(got, `"skipped":0,"retries":0,`+tc.want) {
			t.Errorf("%s: got %s, want it to end %s", tc.name, got, tc.want)
		}
	}
}

// TestAccessChangeEvents checks that the stream carries each access change
// of the plan after the plan event — a delegation with who can assume the
// role today, a principal without — so a pipeline can stop a broadening
// apply from the events alone.
func TestAccessChangeEvents(t *testing.T) {
	const role = "arn:aws:iam::999999999999:role/UpdateApp"
	var buf bytes.Buffer
	ev := NewEvents(&buf, nil, evClock())
	ev.PlanSummary(&model.Plan{Access: []model.AccessChange{
		{Kind: model.AccessDelegation, Role: principal(role), Principal: principal("arn:aws:iam::222222222222:root"), CanAfter: true, Today: principals(), TodayKnown: true},
		{Kind: model.AccessPrincipal, Role: principal(role), Principal: principal("arn:aws:iam::111111111111:user/David"), Before: []string{"with MFA"}, CanBefore: true},
	}})
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want the plan event and 2 access changes, got:\n%s", buf.String())
	}
	want := []string{
		`"kind":"delegation","role":"arn:aws:iam::999999999999:role/UpdateApp","principal":"arn:aws:iam::222222222222:root","before":null,"after":[],"broadens":true,"today":[]}`,
		`"kind":"principal","role":"arn:aws:iam::999999999999:role/UpdateApp","principal":"arn:aws:iam::111111111111:user/David","before":["with MFA"],"after":null,"broadens":false,"today":null}`,
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i+1], `{"type":"access_change",`) || !strings.Contains(lines[i+1], w) {
			t.Errorf("event %d:\n got %s\nwant …%s", i+1, lines[i+1], w)
		}
	}
	if !strings.Contains(lines[0], `"broadening":true`) {
		t.Errorf("the plan event does not say the plan broadens access: %s", lines[0])
	}
}
