package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestEveryExampleRoundTrips runs every stack under examples/ (found by
// globbing, so a new example is covered as soon as its directory exists)
// through its whole life on the local target, on a temporary copy: apply,
// a plan that finds nothing left to do, destroy, and a destroy plan that
// finds nothing left to remove.
func TestEveryExampleRoundTrips(t *testing.T) {
	matches, err := filepath.Glob(filepath.Join("..", "..", "examples", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.IsDir() {
			names = append(names, filepath.Base(m))
		}
	}
	if len(names) == 0 {
		t.Fatal("no example directories under examples/")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := copyExample(t, name)
			mustRun(t, 0, "apply", "-auto-approve", dir)
			mustRun(t, 0, "plan", "-detailed-exitcode", dir)
			mustRun(t, 0, "destroy", "-auto-approve", dir)
			mustRun(t, 0, "plan", "-destroy", "-detailed-exitcode", dir)
		})
	}
}
