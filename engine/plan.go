package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/hashicorp/go-multierror"
)

// Plan is what a stack would change, in the order it would change it.
type Plan struct {
	Stack    string
	Target   string // the provider's description, e.g. "local simulation in .trustform"
	Destroy  bool
	Accounts []PlanAccount
	Changes  []*Change
	// Expectations are the stack's expect blocks checked on the projected
	// state (filled by the caller, which owns the evaluator). A plan with a
	// failed expectation is not applicable.
	Expectations []ExpectationResult
	// Access is who gains and who loses the ability to assume which role,
	// comparing the accounts before and after the plan (filled by the
	// caller, which owns the evaluator).
	Access []AccessChange
	// Actual is the state the plan was computed from (not part of the plan's
	// content; kept for checks that need the accounts as read).
	Actual *State
}

// ExpectationResult is the outcome of one expect block.
type ExpectationResult struct {
	Address string
	Source  Source
	Summary string // what was expected, e.g. "user David can assume role UpdateApp"
	Passed  bool
	Reasons []string // why it passed (with which conditions) or failed, for people
}

// The kinds of access change.
const (
	// AccessPrincipal: a principal gains or loses a way to assume a role,
	// or holds it under other conditions.
	AccessPrincipal = "principal"
	// AccessDelegation: a role's trust policy, judged alone (as IAM Access
	// Analyzer judges external access), starts or stops admitting an
	// account's root — any principal of that account that its own policies
	// allow — or every principal ("*"). Who gets in is then decided in the
	// trusted account, by policies the stack may never see again: a
	// reviewer must see the delegation itself, not only today's assumers.
	AccessDelegation = "delegation"
)

// AccessChange is one principal's ability to assume one role, changed by a
// plan. Before and After are the conditions under which it can assume the
// role (nil when it cannot; empty when it needs none).
type AccessChange struct {
	// Kind is AccessPrincipal or AccessDelegation ("" reads as
	// AccessPrincipal, as in plans saved before delegations were reported).
	Kind      string
	Role      string // role ARN
	Principal string // user or role ARN; for a delegation an account root ARN or "*"
	Before    []string
	After     []string
	CanBefore bool
	CanAfter  bool
	// Today, for a delegation, lists the principals of the trusted account
	// (for "*", of every account read) that can assume the role once the
	// plan is applied — or, for a delegation that ends, before it. It is
	// meaningful only when TodayKnown: the account of an external
	// delegation is never read.
	Today      []string
	TodayKnown bool
}

// IsDelegation reports whether the change is of kind AccessDelegation.
func (c AccessChange) IsDelegation() bool { return c.Kind == AccessDelegation }

// Broadens reports whether the change gives access: a principal that could
// not assume the role now can, or can with fewer conditions to meet.
func (c AccessChange) Broadens() bool {
	if !c.CanAfter {
		return false
	}
	return !c.CanBefore || len(c.After) < len(c.Before)
}

// Broadening reports whether any access change of the plan gives access.
func (p *Plan) Broadening() bool {
	for _, c := range p.Access {
		if c.Broadens() {
			return true
		}
	}
	return false
}

// Applicable reports whether the plan may be applied: no expectation failed.
func (p *Plan) Applicable() bool {
	for _, e := range p.Expectations {
		if !e.Passed {
			return false
		}
	}
	return true
}

// PlanAccount is one account a plan covers and who it was read as.
type PlanAccount struct {
	Name     string
	ID       string
	Identity string
	External bool // named by the stack, never read: Identity is empty
}

// Counts returns how many objects the plan adds, changes and destroys.
func (p *Plan) Counts() (add, change, destroy int) {
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			add++
		case Update:
			change++
		case Delete:
			destroy++
		}
	}
	return
}

// Adoptions returns how many objects the plan adopts.
func (p *Plan) Adoptions() int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == Adopt {
			n++
		}
	}
	return n
}

// PlanOptions tunes MakePlan.
type PlanOptions struct {
	Destroy bool // plan to remove everything the stack owns
}

// MakePlan reads every declared account through the provider, checks that
// each is the account the stack declares, and computes the ordered changes.
func MakePlan(ctx context.Context, cfg *Config, prov Provider, opts PlanOptions) (*Plan, error) {
	actual, accounts, err := ReadAccounts(ctx, cfg, prov)
	if err != nil {
		return nil, err
	}
	for _, ac := range cfg.Accounts {
		if ac.External {
			accounts = append(accounts, PlanAccount{Name: ac.Name, ID: ac.ID, External: true})
		}
	}
	desired := NewState()
	if !opts.Destroy {
		if desired, err = Desired(cfg); err != nil {
			return nil, err
		}
	}
	changes, err := Diff(actual, desired, cfg)
	if err != nil {
		return nil, err
	}
	return &Plan{
		Stack:    cfg.Stack.Name,
		Target:   prov.Describe(),
		Destroy:  opts.Destroy,
		Accounts: accounts,
		Changes:  Order(changes),
		Actual:   actual,
	}, nil
}

// ReadAccounts reads all declared accounts concurrently, after checking that
// every account's identity is in the declared account: reading (and later
// writing) the wrong account is the one mistake a provisioner of access must
// not make, so no account is read until all identities are confirmed.
// External accounts are neither checked nor read: the stack holds no
// credentials for them.
func ReadAccounts(ctx context.Context, cfg *Config, prov Provider) (*State, []PlanAccount, error) {
	managed := cfg.Managed()
	accounts := make([]PlanAccount, len(managed))
	err := forEachAccount(managed, func(i int, ac *AccountConfig) error {
		id, err := prov.Identity(ctx, ac)
		if err != nil {
			return fmt.Errorf("account %s (%s): cannot establish identity: %w", ac.Name, ac.ID, err)
		}
		if id.Account != ac.ID {
			return fmt.Errorf("account %s is declared as %s, but its credentials act as %s in account %s: nothing was read or changed; fix the account's credentials or its id", ac.Name, ac.ID, id.ARN, id.Account)
		}
		accounts[i] = PlanAccount{Name: ac.Name, ID: ac.ID, Identity: id.ARN}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	read := make([]*Account, len(managed))
	err = forEachAccount(managed, func(i int, ac *AccountConfig) error {
		a, err := prov.Read(ctx, ac)
		if err != nil {
			return fmt.Errorf("account %s (%s): read: %w", ac.Name, ac.ID, err)
		}
		if err := detailAdopted(ctx, cfg, prov, ac, a); err != nil {
			return fmt.Errorf("account %s (%s): read: %w", ac.Name, ac.ID, err)
		}
		MarkOwnership(a, cfg.Stack.Name)
		read[i] = a
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	state := NewState()
	for i, a := range read {
		state.Accounts[managed[i].ID] = a
	}
	return state, accounts, nil
}

// forEachAccount runs fn for every given account, a few at a time, and
// returns every error.
func forEachAccount(accounts []*AccountConfig, fn func(i int, ac *AccountConfig) error) error {
	errs := make([]error, len(accounts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, ac := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = fn(i, ac)
		}()
	}
	wg.Wait()
	var merr *multierror.Error
	for _, err := range errs {
		if err != nil {
			merr = multierror.Append(merr, err)
		}
	}
	return merr.ErrorOrNil()
}

// detailAdopted completes, on a target that needs it, the roles of an account
// that the stack adopts and that carry no stack's tag yet: the diff compares
// their description and maximum session duration like any owned role's.
func detailAdopted(ctx context.Context, cfg *Config, prov Provider, ac *AccountConfig, a *Account) error {
	d, ok := prov.(RoleDetailer)
	if !ok {
		return nil
	}
	var names []string
	for _, r := range cfg.Roles {
		if r.Adopt && r.Account == ac.ID {
			if have := a.Roles[NameKey(r.Name)]; have != nil && have.Tags[OwnerTagKey] == "" {
				names = append(names, have.Name)
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	return d.DetailRoles(ctx, ac, a, names)
}
