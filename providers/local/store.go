package local

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/trustform/trustform/internal/regularfile"
)

const (
	stateFile = "state.json"
	lockFile  = "lock"
)

// lock is a flock(2) on Dir/lock. flock locks belong to the open file and
// die with the process, so a crashed run never leaves a stale lock behind;
// the pid written into the file is only there to name the holder in the
// message the next run prints.
type lock struct {
	f         *os.File
	exclusive bool
}

// acquireLock takes the lock without waiting: a second apply on the same
// stack should fail at once with a clear message, not hang behind the first.
// A read-only run takes a shared lock, and none at all when the directory or
// the lock file does not exist yet (it must never write).
func acquireLock(dir string, exclusive bool) (*lock, error) {
	path := filepath.Join(dir, lockFile)
	var f *os.File
	var err error
	if exclusive {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, stateDirError(dir, err)
		}
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	} else {
		// O_NONBLOCK: a FIFO in the lock file's place must not hang a plan.
		f, err = os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if errors.Is(err, fs.ErrNotExist) {
			return &lock{}, nil
		}
	}
	if err == nil {
		if fi, serr := f.Stat(); serr == nil && !fi.Mode().IsRegular() {
			f.Close()
			return nil, fmt.Errorf("local target: %w", notRegularError(path, "lock file", fi.Mode()))
		}
	}
	if errors.Is(err, syscall.ENOTDIR) {
		return nil, stateDirError(dir, err)
	}
	if err != nil {
		return nil, fmt.Errorf("local target: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		holder := lockHolder(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, lockedError(dir, path, holder, exclusive)
		}
		return nil, fmt.Errorf("local target: locking %s: %w", path, err)
	}
	l := &lock{f: f, exclusive: exclusive}
	if exclusive {
		if err := f.Truncate(0); err == nil {
			_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
		if err != nil {
			l.release()
			return nil, fmt.Errorf("local target: writing %s: %w", path, err)
		}
	}
	return l, nil
}

func lockHolder(f *os.File) string {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	return strings.TrimSpace(string(b[:n]))
}

func lockedError(dir, path, pid string, wantExclusive bool) error {
	if pid == "" {
		// Readers (plan, validate) hold the lock without writing a pid.
		return fmt.Errorf("local state in %s is in use by another trustform process that is reading it (plan or validate; lock file %s): "+
			"wait for it to finish, then run this command again", dir, path)
	}
	what := "is locked by another trustform process"
	if !wantExclusive {
		what = "is being changed by another trustform process"
	}
	return fmt.Errorf("local state in %s %s (pid %s, lock file %s): wait for it to finish, or stop that process, then run this command again; "+
		"the lock goes away by itself when the process ends", dir, what, pid, path)
}

// release drops the lock. The pid is erased first so that a later holder of
// a shared lock is not mistaken for this process.
func (l *lock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	if l.exclusive {
		_ = l.f.Truncate(0)
	}
	err := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// writeAtomic replaces dir/name with data so that a reader, or a run after a
// crash, sees either the old file or the new one, never a torn one: write a
// temporary file in the same directory, fsync it, rename it over the old
// one, and fsync the directory so the rename itself is durable.
func writeAtomic(dir, name string, data []byte) (err error) {
	tmp, err := os.CreateTemp(dir, tempPattern(name))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Size caps for the files the local target reads back. The state of the
// 10,040-object benchmark stack (BENCHMARKS.md: 20 accounts, 2,480 roles) is
// 3.7 MB, about 360 bytes an object; one account filled to IAM's maximum
// quotas (5,000 roles with a 4,096-character trust policy and 10,240
// characters of inline policies, 5,000 managed policies of five 6,144-character
// versions, 5,000 users) is about 230 MB once JSON-escaped. 256 MiB holds
// that, 70 times the benchmark, and stops a state file linked to /dev/zero
// or a runaway file long before memory runs out. A seed is written by hand
// and gets the same cap.
const (
	maxStateBytes = 256 << 20
	maxSeedBytes  = 256 << 20
)

// readRegular reads a state or seed file, refusing anything but a regular
// file of at most limit bytes: a FIFO would block the open forever, and a
// device such as /dev/zero never ends. A symbolic link is followed to its
// target, which must be a regular file too. what names the file in
// messages ("state file", "seed file").
func readRegular(path, what string, limit int64) ([]byte, error) {
	data, err := regularfile.Read(path, limit)
	var nr *regularfile.NotRegularError
	var tl *regularfile.TooLargeError
	switch {
	case errors.As(err, &nr):
		return nil, notRegularError(path, what, nr.Mode)
	case errors.As(err, &tl):
		return nil, tooLargeError(path, what, tl.Size, limit)
	}
	return data, err
}

func notRegularError(path, what string, mode fs.FileMode) error {
	kind := "not a regular file"
	switch {
	case mode.IsDir():
		kind = "a directory, not a regular file"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO), not a regular file"
	case mode&fs.ModeDevice != 0 || mode&fs.ModeCharDevice != 0:
		kind = "a device, not a regular file"
	case mode&fs.ModeSocket != 0:
		kind = "a socket, not a regular file"
	}
	return fmt.Errorf("%s %s is %s: trustform reads only regular files; replace it with the file itself (or remove it)", what, path, kind)
}

func tooLargeError(path, what string, size, limit int64) error {
	return fmt.Errorf("%s %s is too large (%d bytes; the limit is %d MiB): it is not a file trustform wrote; "+
		"restore the right file or remove it", what, path, size, limit>>20)
}

// stateDirError explains an error about the state directory itself, such as
// "mkdir .trustform: not a directory" when a file sits where the directory
// should be.
func stateDirError(dir string, err error) error {
	if errors.Is(err, syscall.ENOTDIR) {
		return fmt.Errorf("local target: the state directory %s (or a directory above it) is not a directory: "+
			"trustform keeps the local state in that directory; move the file that is in its way, then run this command again (%w)", dir, err)
	}
	return fmt.Errorf("local target: state directory %s: %w", dir, err)
}

// tempPattern matches the temporary files writeAtomic creates for name.
func tempPattern(name string) string { return "." + name + ".*.tmp" }

// removeStaleTemps removes the temporary files a run killed in the middle
// of writeAtomic left behind. It must be called with the exclusive lock
// held: only a holder of that lock writes, so any temporary file present
// then is one no running process will rename. Only regular files are
// removed; a failure to remove one is not fatal (the next run tries again).
func removeStaleTemps(dir, name string) {
	matches, _ := filepath.Glob(filepath.Join(dir, tempPattern(name)))
	for _, m := range matches {
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() {
			_ = os.Remove(m)
		}
	}
}
