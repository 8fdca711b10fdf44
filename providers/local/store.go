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
			return nil, fmt.Errorf("local target: %w", err)
		}
		f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	} else {
		f, err = os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return &lock{}, nil
		}
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
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
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
