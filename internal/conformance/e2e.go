package conformance

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

// testEndToEnd plans and applies the suite's stack through the engine: the
// first plan creates exactly the stack's objects, in an order the target
// accepts (a role trusting a user and a role created in the same apply, a
// grant on an existing group); the next plan is empty, which proves that what
// the target reads back is what it was given; and destroy deletes exactly
// what the apply created, leaving both accounts as they were before.
func testEndToEnd(t *testing.T, e *env) {
	e.seedExisting()
	before := e.snapshot()
	cfg := e.stackConfig()

	first := e.plan(cfg, e.prov, false)
	created := planEntries(first.Changes)
	if want := e.stackCreates(); !slices.Equal(created, want) {
		t.Fatalf("first plan:\n  %s\nwant:\n  %s", strings.Join(created, "\n  "), strings.Join(want, "\n  "))
	}
	e.applyPlan(cfg, e.prov, first)
	e.wantEmptyPlan("after the first apply", cfg)

	destroy := e.plan(cfg, e.prov, true)
	want := make([]string, len(created))
	for i, c := range created {
		want[i] = string(model.Delete) + strings.TrimPrefix(c, string(model.Create))
	}
	slices.Sort(want)
	if got := planEntries(destroy.Changes); !slices.Equal(got, want) {
		t.Fatalf("destroy plan:\n  %s\nwant a delete of everything the apply created:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	e.applyPlan(cfg, e.prov, destroy)
	e.sameAsBefore("after destroy", before, e.snapshot())
}
