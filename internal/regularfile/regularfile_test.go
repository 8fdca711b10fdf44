package regularfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRead reads a regular file and a link to one, and refuses at once a
// named pipe, a directory, a device and a file over the limit, each with
// its kind.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.hcl")
	if err := os.WriteFile(file, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.hcl")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe.hcl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		limit      int64
		want       string // error text; "" for success
	}{
		{"regular", file, 10, ""},
		{"a link to a regular file", link, 10, ""},
		{"at the limit", file, 5, ""},
		{"over the limit", file, 4, "larger than"},
		{"a named pipe", fifo, 10, "not a regular file (a named pipe)"},
		{"a directory", dir, 10, "not a regular file (a directory)"},
		{"a device", "/dev/zero", 10, "not a regular file (a character device)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			var b []byte
			var err error
			go func() { b, err = Read(tc.path, tc.limit); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("Read blocked")
			}
			switch {
			case tc.want == "" && (err != nil || string(b) != "hello"):
				t.Fatalf("Read = %q, %v", b, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Read error %v, want %q", err, tc.want)
			}
			var nr *NotRegularError
			var tl *TooLargeError
			if tc.want != "" && !errors.As(err, &nr) && !errors.As(err, &tl) {
				t.Fatalf("error %v is neither NotRegularError nor TooLargeError", err)
			}
		})
	}
}
