package local

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// openWithin runs Open and fails the test, instead of hanging it, when Open
// does not return in time (a FIFO would block it forever).
func openWithin(t *testing.T, opts Options) (*Provider, error) {
	t.Helper()
	type result struct {
		p   *Provider
		err error
	}
	done := make(chan result, 1)
	go func() { p, err := Open(opts); done <- result{p, err} }()
	select {
	case r := <-done:
		if r.p != nil {
			t.Cleanup(func() { r.p.Close() })
		}
		return r.p, r.err
	case <-time.After(5 * time.Second):
		t.Fatalf("Open(%+v) did not return within 5s", opts)
		return nil, nil
	}
}

// dirListing names every entry of dir but the lock file (which taking the
// lock writes), for checking that nothing was written.
func dirListing(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() == lockFile {
			continue
		}
		fi, _ := e.Info()
		names = append(names, e.Name()+" "+fi.Mode().String()+" "+fi.ModTime().String())
	}
	return names
}

const goodRole = `{"name": "UpdateApp", "trust_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:root\"},\"Action\":\"sts:AssumeRole\"}]}"`

// TestStateReadBack: a state file that is not what trustform writes is
// refused on read with an error naming the file and what to do, and
// nothing is written (issue 14, points 6 and 9).
func TestStateReadBack(t *testing.T) {
	tests := []struct {
		name  string
		state string // the content of state.json
		setup func(t *testing.T, dir string)
		want  []string // parts of the error
	}{
		{name: "null", state: `null`, want: []string{"not a JSON object", "restore it"}},
		{name: "an array", state: `[]`, want: []string{"not a JSON object"}},
		{name: "a string", state: `"accounts"`, want: []string{"not a JSON object"}},
		{name: "accounts null", state: `{"format_version": 1, "accounts": null}`, want: []string{`no "accounts" object`}},
		{name: "accounts missing", state: `{"format_version": 1}`, want: []string{`no "accounts" object`}},
		{name: "an account null", state: `{"accounts": {"999999999999": null}}`, want: []string{"account 999999999999 is null"}},
		{name: "a role null", state: `{"accounts": {"999999999999": {"roles": [null]}}}`, want: []string{"roles[0] is null"}},
		{name: "a policy version null", state: `{"accounts": {"999999999999": {"policies": [{"name": "p", "versions": [null]}]}}}`,
			want: []string{"versions[0] is null"}},
		{name: "roles of the wrong type", state: `{"accounts": {"999999999999": {"roles": "UpdateApp"}}}`, want: []string{"cannot unmarshal"}},
		{name: "a name of the wrong type", state: `{"accounts": {"999999999999": {"groups": [{"name": 7}]}}}`, want: []string{"cannot unmarshal"}},
		{name: "tags of the wrong type", state: `{"accounts": {"999999999999": {"roles": [{"name": "r", "tags": ["a"]}]}}}`, want: []string{"cannot unmarshal"}},
		{name: "roles that differ only in case", state: `{"accounts": {"999999999999": {"roles": [` + goodRole + `}, ` +
			strings.Replace(goodRole, "UpdateApp", "updateapp", 1) + `}]}}}`, want: []string{"roles UpdateApp and updateapp", "without regard to case"}},
		{name: "two roles of one name", state: `{"accounts": {"999999999999": {"roles": [` + goodRole + `}, ` + goodRole + `}]}}}`,
			want: []string{"two roles are named UpdateApp"}},
		{name: "groups that differ only in case", state: `{"accounts": {"111111111111": {"groups": [{"name": "Devs"}, {"name": "DEVS"}]}}}`,
			want: []string{"groups Devs and DEVS"}},
		{name: "users that differ only in case", state: `{"accounts": {"111111111111": {"users": [{"name": "David"}, {"name": "david"}]}}}`,
			want: []string{"users David and david"}},
		{name: "policies that differ only in case", state: `{"accounts": {"111111111111": {"policies": [{"name": "p", "versions": [{"document": "{}", "default": true}]}, {"name": "P", "versions": [{"document": "{}", "default": true}]}]}}}`,
			want: []string{"policys p and P"}},
		{name: "ownership tag keys that differ only in case", state: `{"accounts": {"999999999999": {"roles": [` + goodRole +
			`, "tags": {"trustform:stack": "s", "Trustform:Stack": "s"}}]}}}`, want: []string{"role UpdateApp", `"Trustform:Stack" and "trustform:stack"`, "differ only in case"}},
		{name: "user tag keys that differ only in case", state: `{"accounts": {"111111111111": {"users": [{"name": "u", "tags": {"Team": "a", "team": "b"}}]}}}`,
			want: []string{"user u", "differ only in case"}},
		{name: "empty", state: ``, want: []string{"EOF", "truncated or empty", "restore it"}},
		{name: "truncated", state: `{"format_version": 1, "accounts": {"9999`, want: []string{"unexpected EOF", "truncated", "restore it"}},
		{name: "a directory", setup: func(t *testing.T, dir string) { os.MkdirAll(filepath.Join(dir, stateFile), 0o755) },
			want: []string{"is a directory, not a regular file", "replace it"}},
		{name: "a FIFO", setup: func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, stateFile), 0o644); err != nil {
				t.Skip(err)
			}
		}, want: []string{"named pipe", "not a regular file"}},
		{name: "a link to /dev/zero", setup: func(t *testing.T, dir string) {
			if _, err := os.Stat("/dev/zero"); err != nil {
				t.Skip(err)
			}
			os.Symlink("/dev/zero", filepath.Join(dir, stateFile))
		}, want: []string{"a device, not a regular file"}},
		{name: "larger than the cap", setup: func(t *testing.T, dir string) {
			f, err := os.Create(filepath.Join(dir, stateFile))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(maxStateBytes + 1); err != nil { // sparse: no disk used
				t.Skip(err)
			}
		}, want: []string{"too large", "256 MiB"}},
	}
	for _, tt := range tests {
		for _, readOnly := range []bool{true, false} {
			name := tt.name + "/apply"
			if readOnly {
				name = tt.name + "/plan"
			}
			t.Run(name, func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), ".trustform")
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(dir, lockFile), nil, 0o644) // as an earlier apply leaves it
				path := filepath.Join(dir, stateFile)
				if tt.setup != nil {
					tt.setup(t, dir)
				} else if err := os.WriteFile(path, []byte(tt.state), 0o644); err != nil {
					t.Fatal(err)
				}
				before := dirListing(t, dir)
				_, err := openWithin(t, Options{Dir: dir, ReadOnly: readOnly})
				if err == nil {
					t.Fatal("Open accepted the state file")
				}
				for _, w := range append([]string{path}, tt.want...) {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error does not mention %q:\n%v", w, err)
					}
				}
				if after := dirListing(t, dir); !slices.Equal(before, after) {
					t.Errorf("the state directory changed:\nbefore %q\nafter  %q", before, after)
				}
			})
		}
	}
}

// TestStateDirNotADirectory: a file where the state directory should be
// (or above it) is named, with what to do, for plan and apply alike.
func TestStateDirNotADirectory(t *testing.T) {
	tests := []struct {
		name     string
		readOnly bool
		nested   bool // the file sits above the state directory
	}{
		{"apply", false, false},
		{"plan", true, false},
		{"apply, file above", false, true},
		{"plan, file above", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), ".trustform")
			if err := os.WriteFile(file, []byte("not a directory"), 0o644); err != nil {
				t.Fatal(err)
			}
			dir := file
			if tt.nested {
				dir = filepath.Join(file, "sub")
			}
			_, err := openWithin(t, Options{Dir: dir, ReadOnly: tt.readOnly})
			if err == nil {
				t.Fatal("Open succeeded")
			}
			for _, w := range []string{dir, "is not a directory", "move the file"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
			if data, _ := os.ReadFile(file); string(data) != "not a directory" {
				t.Error("the file was changed")
			}
		})
	}
}

// TestSeedReadBack: a seed that is not a regular JSON object is refused
// at once, naming the file; a FIFO no longer hangs the run.
func TestSeedReadBack(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  []string
	}{
		{"a FIFO", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o644); err != nil {
				t.Skip(err)
			}
		}, []string{"named pipe", "not a regular file"}},
		{"a link to /dev/zero", func(t *testing.T, path string) {
			if _, err := os.Stat("/dev/zero"); err != nil {
				t.Skip(err)
			}
			os.Symlink("/dev/zero", path)
		}, []string{"a device, not a regular file"}},
		{"a directory", func(t *testing.T, path string) { os.Mkdir(path, 0o755) }, []string{"a directory, not a regular file"}},
		{"larger than the cap", func(t *testing.T, path string) {
			f, _ := os.Create(path)
			defer f.Close()
			if err := f.Truncate(maxSeedBytes + 1); err != nil {
				t.Skip(err)
			}
		}, []string{"too large"}},
		{"null", func(t *testing.T, path string) { os.WriteFile(path, []byte("null"), 0o644) }, []string{"not a JSON object", "fix the seed"}},
		{"a null role", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(`{"accounts": {"111111111111": {"roles": [null]}}}`), 0o644)
		}, []string{"roles[0] is null"}},
		{"a null policy", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(`{"accounts": {"111111111111": {"policies": [null]}}}`), 0o644)
		}, []string{"policies[0] is null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed := filepath.Join(t.TempDir(), SeedFile)
			tt.setup(t, seed)
			dir := filepath.Join(t.TempDir(), ".trustform")
			_, err := openWithin(t, Options{Dir: dir, Seed: seed, ReadOnly: true})
			if err == nil {
				t.Fatal("Open accepted the seed")
			}
			for _, w := range append([]string{seed}, tt.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a read-only Open created %s", dir)
			}
		})
	}
}

// TestStaleTempFiles: the temporary files a run killed during a write left
// behind are removed by the next run that takes the exclusive lock, and
// never by a read-only one.
func TestStaleTempFiles(t *testing.T) {
	tests := []struct {
		name     string
		readOnly bool
		removed  bool
	}{
		{"apply removes them", false, true},
		{"plan leaves them (it never writes)", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), ".trustform")
			p, err := Open(Options{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			tutorial(t, p)
			p.Close()
			stale := []string{filepath.Join(dir, ".state.json.123456.tmp"), filepath.Join(dir, ".state.json.987.tmp")}
			for _, s := range stale {
				os.WriteFile(s, []byte(`{"accounts": {`), 0o644)
			}
			other := filepath.Join(dir, "notes.tmp") // not one of trustform's
			os.WriteFile(other, []byte("x"), 0o644)
			q, err := Open(Options{Dir: dir, ReadOnly: tt.readOnly})
			if err != nil {
				t.Fatal(err)
			}
			defer q.Close()
			for _, s := range stale {
				_, err := os.Stat(s)
				if gone := errors.Is(err, os.ErrNotExist); gone != tt.removed {
					t.Errorf("%s: removed = %v, want %v", s, gone, tt.removed)
				}
			}
			if _, err := os.Stat(other); err != nil {
				t.Errorf("a file that is not trustform's was removed: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, stateFile)); err != nil {
				t.Errorf("state.json: %v", err)
			}
		})
	}
}
