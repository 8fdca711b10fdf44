package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/trustform/trustform/engine/model"
)

// tutorial applies the reference scenario's objects, with a policy that has
// two versions and a trust policy that names a user in another account.
func tutorial(t *testing.T, p *Provider) {
	t.Helper()
	rw := &model.ManagedPolicy{Name: "read-write-app-bucket", Document: allow("s3:GetObject", "arn:aws:s3:::productionapp/*")}
	rw2 := &model.ManagedPolicy{Name: "read-write-app-bucket", Document: allow("s3:*", "arn:aws:s3:::productionapp/*")}
	mustApply(t, p,
		create(dev, model.KindGroup, &model.Group{Name: "Developers"}),
		create(dev, model.KindUser, &model.User{Name: "David", Tags: map[string]string{"team": "apps"}}),
		create(dev, model.KindMembership, &model.Membership{User: "David", Group: "Developers"}),
		create(prod, model.KindPolicy, rw),
		update(prod, model.KindPolicy, rw, rw2),
		create(prod, model.KindRole, role("UpdateApp", trust(devRoot, "arn:aws:iam::111111111111:user/David"))),
		create(prod, model.KindAttachment, attachment(model.KindRole, "UpdateApp", "arn:aws:iam::999999999999:policy/read-write-app-bucket")),
		create(dev, model.KindInline, inline(model.KindGroup, "Developers", "grant", allow("sts:AssumeRole", "arn:aws:iam::999999999999:role/UpdateApp"))),
	)
}

// TestPersistence: everything survives Close and Open, including what Read
// does not show (policy versions, unique IDs).
func TestPersistence(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".trustform")
	p, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	tutorial(t, p)
	want, wantSim := p.Snapshot(), p.sim.clone()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		opts Options
	}{
		{"reopen for apply", Options{Dir: dir}},
		{"reopen read-only", Options{Dir: dir, ReadOnly: true}},
		{"a seed is ignored once state exists", Options{Dir: dir, Seed: writeSeed(t, `{"accounts":{"333333333333":{}}}`)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Open(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			if got := q.Snapshot(); !reflect.DeepEqual(got, want) {
				t.Errorf("state after reopening differs:\n got %+v\nwant %+v", got.Accounts, want.Accounts)
			}
			if !reflect.DeepEqual(q.sim, wantSim) {
				t.Errorf("simulation after reopening differs (versions or unique IDs lost)")
			}
		})
	}

	t.Run("read-only refuses to apply and writes nothing", func(t *testing.T) {
		q, err := Open(Options{Dir: dir, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		before, _ := os.ReadFile(filepath.Join(dir, stateFile))
		if err := apply(q, create(dev, model.KindGroup, &model.Group{Name: "Testers"})); err == nil || !strings.Contains(err.Error(), "read-only") {
			t.Errorf("Apply on a read-only provider: %v", err)
		}
		after, _ := os.ReadFile(filepath.Join(dir, stateFile))
		if string(before) != string(after) {
			t.Error("state.json changed")
		}
	})

	t.Run("state file is versioned", func(t *testing.T) {
		data, _ := os.ReadFile(filepath.Join(dir, stateFile))
		if !strings.Contains(string(data), `"format_version": 1`) || !strings.Contains(string(data), `"default": true`) {
			t.Errorf("state.json lacks format_version or versions:\n%s", data)
		}
	})

	t.Run("a newer format is refused", func(t *testing.T) {
		d := filepath.Join(t.TempDir(), ".trustform")
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, stateFile), []byte(`{"format_version": 2, "accounts": {}}`), 0o644)
		if _, err := Open(Options{Dir: d, ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "upgrade trustform") {
			t.Errorf("Open = %v", err)
		}
	})
}

// TestReadOnlyWithoutDir: plan on a stack that never applied needs no
// directory, takes no lock, and creates nothing.
func TestReadOnlyWithoutDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".trustform")
	p, err := Open(Options{Dir: dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	read(t, p, dev)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("read-only Open created %s", dir)
	}
}

func TestLock(t *testing.T) {
	pid := strconv.Itoa(os.Getpid())
	tests := []struct {
		name      string
		first     bool // first Open is read-only
		second    bool // second Open is read-only
		wantErr   []string
		closeThen bool // after closing the first, the second must succeed
	}{
		{"apply blocks apply", false, false, []string{"pid " + pid, filepath.Join(".trustform", "lock"), "wait for it to finish"}, true},
		{"apply blocks plan", false, true, []string{"pid " + pid, "being changed"}, true},
		{"plan blocks apply", true, false, []string{"reading it", "lock"}, true},
		{"plans share", true, true, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), ".trustform")
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, lockFile), nil, 0o644) // as left by an earlier apply
			first, err := Open(Options{Dir: dir, ReadOnly: tt.first})
			if err != nil {
				t.Fatal(err)
			}
			second, err := Open(Options{Dir: dir, ReadOnly: tt.second})
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("second Open: %v", err)
				}
				second.Close()
				first.Close()
				return
			}
			if err == nil {
				second.Close()
				t.Fatal("second Open succeeded while the lock was held")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			if tt.closeThen {
				again, err := Open(Options{Dir: dir, ReadOnly: tt.second})
				if err != nil {
					t.Fatalf("Open after Close: %v", err)
				}
				again.Close()
			}
		})
	}
	t.Run("pid is erased on close", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), ".trustform")
		p, err := Open(Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, lockFile)); strings.TrimSpace(string(b)) != pid {
			t.Errorf("lock file holds %q, want our pid %s", b, pid)
		}
		p.Close()
		if b, _ := os.ReadFile(filepath.Join(dir, lockFile)); len(b) != 0 {
			t.Errorf("lock file still holds %q after Close", b)
		}
		if err := p.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if _, err := p.Read(context.Background(), dev); err == nil {
			t.Error("Read after Close succeeded")
		}
	})
}

// TestAtomicWrite: after applies, successful or not, the directory holds the
// lock and state.json only, and a refused change leaves the file alone.
func TestAtomicWrite(t *testing.T) {
	p := openTemp(t)
	tutorial(t, p)
	before, err := os.ReadFile(filepath.Join(p.dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := apply(p, create(dev, model.KindGroup, &model.Group{Name: "developers"})); codeOf(err) != CodeEntityAlreadyExists {
		t.Fatalf("duplicate group: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(p.dir, stateFile))
	if string(before) != string(after) {
		t.Error("a refused change rewrote state.json")
	}
	entries, err := os.ReadDir(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{lockFile, stateFile}; !slices.Equal(names, want) {
		t.Errorf("directory holds %v, want %v", names, want)
	}

	t.Run("a failed write changes nothing in memory", func(t *testing.T) {
		// Replace the directory by a file so that the temporary file cannot
		// be created, whatever the permissions of the test user.
		q := openTemp(t)
		tutorial(t, q)
		want := q.Snapshot()
		q.dir = filepath.Join(q.dir, stateFile)
		if err := apply(q, create(dev, model.KindGroup, &model.Group{Name: "Testers"})); err == nil {
			t.Fatal("Apply succeeded without a place to write")
		}
		if got := q.Snapshot(); !reflect.DeepEqual(got, want) {
			t.Error("the simulation kept a change that was never written")
		}
	})
}

// TestConcurrentApply: the engine applies independent changes concurrently;
// run under -race.
func TestConcurrentApply(t *testing.T) {
	p := openTemp(t)
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("u%02d", i)
			for _, c := range []change{
				create(dev, model.KindUser, &model.User{Name: name}),
				create(dev, model.KindGroup, &model.Group{Name: "g" + name}),
				create(dev, model.KindMembership, &model.Membership{User: name, Group: "g" + name}),
			} {
				if err := apply(p, c); err != nil {
					errs <- err
				}
			}
			if _, err := p.Read(context.Background(), dev); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	a := read(t, p, dev)
	if len(a.Users) != n || len(a.Groups) != n {
		t.Fatalf("%d users and %d groups, want %d each", len(a.Users), len(a.Groups), n)
	}
	// What is on disk is the same as what is in memory.
	p.Close()
	q, err := Open(Options{Dir: p.dir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if !reflect.DeepEqual(q.Snapshot(), p.Snapshot()) {
		t.Error("state.json differs from the simulation after concurrent applies")
	}
}
