package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine"
)

// SeedFile is the conventional name of a stack's seed file, next to its
// *.hcl files: what the stack's accounts hold before trustform first runs on
// the local target.
const SeedFile = "local-seed.json"

// Options configures Open.
type Options struct {
	// Dir is the state directory, e.g. <stack>/.trustform. It is created on
	// the first write.
	Dir string
	// Seed is an optional seed file, loaded when Dir holds no state yet.
	// A seed that does not exist is ignored, so a stack can name one
	// unconditionally.
	Seed string
	// ReadOnly is for plan and validate: a shared lock, and nothing is ever
	// written.
	ReadOnly bool
}

// Provider is the local target: an engine.Provider backed by the simulation.
type Provider struct {
	dir      string
	readOnly bool

	mu     sync.Mutex // guards everything below
	sim    *sim
	lock   *lock
	closed bool
}

var _ engine.Provider = (*Provider)(nil)

// Open loads the simulation from opts.Dir (or from the seed, or empty) and
// takes the directory's lock: exclusive for a run that may apply, shared for
// a read-only one. Close releases it.
func Open(opts Options) (*Provider, error) {
	if opts.Dir == "" {
		return nil, errors.New("local target: no state directory given")
	}
	l, err := acquireLock(opts.Dir, !opts.ReadOnly)
	if err != nil {
		return nil, err
	}
	if !opts.ReadOnly {
		removeStaleTemps(opts.Dir, stateFile)
	}
	s, err := load(opts)
	if err != nil {
		l.release()
		return nil, err
	}
	return &Provider{dir: opts.Dir, readOnly: opts.ReadOnly, sim: s, lock: l}, nil
}

func load(opts Options) (*sim, error) {
	path := filepath.Join(opts.Dir, stateFile)
	data, err := readRegular(path, "state file", maxStateBytes)
	switch {
	case err == nil:
		f, err := decodeStateFile(bytes.NewReader(data))
		if err != nil {
			return nil, corruptState(path, err)
		}
		s, err := decodeState(f)
		if err != nil {
			return nil, corruptState(path, err)
		}
		return s, nil
	case errors.Is(err, syscall.ENOTDIR):
		return nil, stateDirError(opts.Dir, err)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("local target: %w", err)
	}
	if opts.Seed != "" {
		if _, err := os.Stat(opts.Seed); err == nil {
			return loadSeed(opts.Seed)
		}
	}
	return newSim(), nil
}

// corruptState says which state file could not be read and what to do: the
// file is written atomically, so a damaged one was changed or truncated
// outside trustform. Nothing is written.
func corruptState(path string, err error) error {
	if errors.Is(err, errNewerFormat) {
		return fmt.Errorf("local target: %s: %w", path, err)
	}
	msg := err.Error()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "the file ends before its JSON does (" + msg + "): it is truncated or empty"
	}
	return fmt.Errorf("local target: state file %s cannot be read: %s. trustform writes this file atomically, so it was changed outside trustform: "+
		"restore it from a backup or version control and run this command again; removing it makes the local accounts empty (or the seed's, when there is one) and the next plan re-creates everything",
		path, msg)
}

// Close releases the lock. The state is already on disk: every Apply wrote
// it.
func (p *Provider) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	return p.lock.release()
}

// Describe names the target for plan headers.
func (p *Provider) Describe() string { return "local simulation in " + p.dir }

// Identity is the account's root: the simulation acts with full authority in
// every account, as an administrator would.
func (p *Provider) Identity(ctx context.Context, account *model.AccountConfig) (engine.Identity, error) {
	if err := ctx.Err(); err != nil {
		return engine.Identity{}, err
	}
	a, err := p.touch(account)
	if err != nil {
		return engine.Identity{}, err
	}
	return engine.Identity{Account: a.id, ARN: model.RootARN(a.partition, a.id)}, nil
}

// Read returns a deep copy of the account. An account the simulation has
// never seen reads as empty: on AWS too, a fresh account has no roles.
func (p *Provider) Read(ctx context.Context, account *model.AccountConfig) (*model.Account, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	a, err := p.accountLocked(account)
	if err != nil {
		return nil, err
	}
	return a.engineAccount(), nil
}

// touch registers the account (see accountLocked) and returns it.
func (p *Provider) touch(account *model.AccountConfig) (*simAccount, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accountLocked(account)
}

// accountLocked returns the account, adding it to the in-memory simulation
// when it is new. An account the engine has asked about is one the
// simulation holds from then on, which is what lets a trust policy in one
// declared account be checked against the principals of another declared
// account even before anything was written there. It reaches state.json
// with the next Apply.
func (p *Provider) accountLocked(account *model.AccountConfig) (*simAccount, error) {
	if p.closed {
		return nil, errors.New("local target: provider is closed")
	}
	if account == nil {
		return nil, errors.New("local target: no account given")
	}
	return p.sim.account(account.ID, account.Partition)
}

// Apply carries out one change and writes the whole simulation to
// state.json before returning. The change runs on a copy of the simulation
// that replaces the current one only once it is on disk, so a failed change
// — refused by IAM's rules or by the disk — changes nothing, in memory or
// in the file.
func (p *Provider) Apply(ctx context.Context, account *model.AccountConfig, change *model.Change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.readOnly {
		return errors.New("local target: opened read-only (plan or validate); cannot apply changes")
	}
	if change == nil {
		return errors.New("local target: no change given")
	}
	if account == nil {
		return errors.New("local target: no account given")
	}
	if change.Account.ID != "" && change.Account.ID != account.ID {
		return fmt.Errorf("local target: change %s is for account %s, not %s", change.Key, change.Account.ID, account.ID)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("local target: provider is closed")
	}
	next := p.sim.clone()
	a, err := next.account(account.ID, account.Partition)
	if err != nil {
		return err
	}
	if err := next.applyChange(a, change); err != nil {
		return err
	}
	if err := p.save(next); err != nil {
		return err
	}
	p.sim = next
	return nil
}

// save writes a simulation to state.json, atomically. The caller holds mu.
func (p *Provider) save(next *sim) error {
	data, err := encodeState(next)
	if err != nil {
		return fmt.Errorf("local target: encoding state: %w", err)
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return fmt.Errorf("local target: %w", err)
	}
	if err := writeAtomic(p.dir, stateFile, data); err != nil {
		return fmt.Errorf("local target: writing %s: %w", filepath.Join(p.dir, stateFile), err)
	}
	return nil
}

// Snapshot returns a deep copy of every account the simulation holds, for
// tests and debugging.
func (p *Provider) Snapshot() *model.State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sim.engineState()
}
