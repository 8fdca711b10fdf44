package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/internal/stackgen"
	"github.com/trustform/trustform/schema"
)

// TestGroupCommit applies a generated stack of 30 accounts through the
// engine (four changes at a time in each account): state.json is written
// far fewer times than there are changes, yet holds every change once
// Apply returns — a provider opened afresh on the directory reads the same
// accounts, and the next plan is empty.
func TestGroupCommit(t *testing.T) {
	dir := t.TempDir()
	spec := stackgen.Spec{Stack: "gc", Target: "local", Accounts: 30, Roles: 2, Groups: 1}
	if err := spec.Write(dir); err != nil {
		t.Fatal(err)
	}
	cfg, _, diags := schema.Load(dir, schema.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	state := filepath.Join(dir, ".trustform")
	p, err := Open(Options{Dir: state})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	plan, err := engine.MakePlan(ctx, cfg, p, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := engine.Apply(ctx, plan, cfg, p, engine.ApplyOptions{}); err != nil {
		t.Fatal(err)
	}
	changes := len(plan.Changes)
	if changes != spec.Objects() {
		t.Fatalf("%d changes, want %d", changes, spec.Objects())
	}
	t.Logf("%d writes of state.json for %d changes", p.writes, changes)
	if p.writes == 0 || p.writes > changes/3 {
		t.Errorf("%d writes of state.json for %d changes: group commit should need a fraction", p.writes, changes)
	}
	want := p.Snapshot()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(Options{Dir: state})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := again.Snapshot(); !reflect.DeepEqual(got, want) {
		t.Errorf("the state file does not hold what the applies returned")
	}
	next, err := engine.MakePlan(ctx, cfg, again, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Changes) != 0 {
		t.Errorf("after the apply the plan has %d changes", len(next.Changes))
	}
}

// TestFailedWriteRollsBack: when a write of state.json fails, every change
// not yet on disk fails (the one whose Apply wrote and those waiting on
// it), and the simulation is what the file holds; the next change works.
func TestFailedWriteRollsBack(t *testing.T) {
	p := openTemp(t)
	mustApply(t, p, create(dev, model.KindRole, role("Before", trust(devID))))
	before := p.Snapshot()
	file, err := os.ReadFile(filepath.Join(p.dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.failWrite = errors.New("disk full")
	p.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = apply(p, create(dev, model.KindRole, role(fmt.Sprintf("R%d", i), trust(devID)))) })
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			if !strings.Contains(err.Error(), "disk full") {
				t.Errorf("a failed change says %v, want the write's error", err)
			}
		}
	}
	if failed == 0 {
		t.Fatal("no change failed although the write failed")
	}
	// The changes that succeeded were written after the failure, in a new
	// epoch; the ones that failed are not in memory or on disk.
	got := p.Snapshot()
	for i, err := range errs {
		_, held := got.Accounts[devID].Roles[model.NameKey(fmt.Sprintf("R%d", i))]
		if (err == nil) != held {
			t.Errorf("role R%d: Apply said %v, but the simulation holds it: %v", i, err, held)
		}
	}
	if failed == len(errs) {
		if !reflect.DeepEqual(got, before) {
			t.Errorf("every change failed, yet the simulation changed")
		}
		now, err := os.ReadFile(filepath.Join(p.dir, stateFile))
		if err != nil || string(now) != string(file) {
			t.Errorf("every change failed, yet state.json changed (%v)", err)
		}
	}
	mustApply(t, p, create(dev, model.KindRole, role("After", trust(devID))))
	again, err := Open(Options{Dir: p.dir, ReadOnly: true})
	if err == nil {
		defer again.Close()
		if _, ok := again.Snapshot().Accounts[devID].Roles["after"]; !ok {
			t.Errorf("the change after the failure is not on disk")
		}
	}
}
