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
	sim    *sim       // the simulation, changes not yet on disk included
	lock   *lock
	closed bool

	// Group commit (see Apply): durable is the simulation as state.json
	// holds it, durableGen the last change it includes; gen numbers the
	// changes applied in memory. One Apply at a time writes the file for
	// every change applied so far (flushing), the others wait on written.
	// A write that fails rolls the simulation back to durable and starts a
	// new epoch: every change not yet on disk then fails with flushErr.
	durable         *sim
	gen, durableGen uint64
	epoch           uint64
	flushing        bool
	flushErr        error
	written         *sync.Cond

	// writes counts the writes of state.json, and failWrite, when set,
	// fails the next one: for the tests of group commit.
	writes    int
	failWrite error
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
	p := &Provider{dir: opts.Dir, readOnly: opts.ReadOnly, sim: s, durable: s, lock: l}
	p.written = sync.NewCond(&p.mu)
	return p, nil
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

// Close releases the lock. The state is already on disk: every Apply
// returned only once the file held its change.
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

// Apply carries out one change and returns once state.json holds it. The
// change runs on a copy of the simulation (of the accounts it changes, the
// others shared) that replaces the current one only if IAM's rules accept
// it, so a refused change changes nothing. The file is written by group
// commit: one Apply at a time writes the whole simulation, with every change
// applied in memory so far, while the others wait for a write that includes
// theirs. An apply of thousands of changes, four at a time in each of many
// accounts, so writes the file tens of times rather than once per change,
// and each write stays atomic (writeAtomic): a run killed at any moment
// leaves the file as some Apply calls had returned, never torn. A write that
// fails fails every change not yet on disk and rolls the simulation back to
// the file's content.
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
	if err := validateAccountID(account.ID); err != nil {
		return err
	}
	next := p.sim.copyFor(account.ID)
	a, err := next.account(account.ID, account.Partition)
	if err != nil {
		return err
	}
	next.private[account.ID] = true // new, or copied by copyFor
	if err := next.applyChange(a, change); err != nil {
		return err
	}
	next.private = nil
	p.sim = next
	p.gen++
	return p.awaitWritten(p.gen, p.epoch)
}

// awaitWritten returns once state.json holds change gen of epoch, writing
// it itself when no other Apply is (see Apply). The caller holds mu; it is
// released while the file is written.
func (p *Provider) awaitWritten(gen, epoch uint64) error {
	for {
		switch {
		case p.epoch != epoch:
			return fmt.Errorf("local target: the change was not saved: %w", p.flushErr)
		case p.durableGen >= gen:
			return nil
		case p.flushing:
			p.written.Wait()
			continue
		}
		p.flushing = true
		snapshot, upTo := p.sim, p.gen
		// Encoded under mu: later changes copy what they change, but an
		// account the engine asks about is added to the current map.
		data, err := encodeState(snapshot)
		if err == nil {
			p.mu.Unlock()
			err = p.write(data)
			p.mu.Lock()
		} else {
			err = fmt.Errorf("local target: encoding state: %w", err)
		}
		p.flushing = false
		if err != nil {
			p.sim, p.gen = p.durable, p.durableGen
			p.epoch++
			p.flushErr = err
			p.written.Broadcast()
			return err
		}
		p.durable, p.durableGen = snapshot, upTo
		p.written.Broadcast()
	}
}

// save writes a simulation to state.json, atomically. The caller holds mu.
func (p *Provider) save(next *sim) error {
	data, err := encodeState(next)
	if err != nil {
		return fmt.Errorf("local target: encoding state: %w", err)
	}
	return p.write(data)
}

// write writes encoded state to state.json, atomically. It is called with
// mu held (save) or by the one flusher with mu released (awaitWritten):
// the counters it touches are the writer's alone either way.
func (p *Provider) write(data []byte) error {
	p.writes++
	if err := p.failWrite; err != nil {
		p.failWrite = nil
		return err
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
