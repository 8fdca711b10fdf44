package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/expect"
	"github.com/trustform/trustform/engine/lint"
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/hashicorp/go-multierror"
)

// PlanOptions tunes MakePlan.
type PlanOptions struct {
	Destroy bool // plan to remove everything the stack owns
	// AWSManaged resolves the AWS-managed policies the accounts attach to
	// their documents, for the access review (nil: none are known, and a
	// principal that relies on one is shown as unable to act on it).
	AWSManaged func(arn string) (document string, ok bool)
}

// MakePlan makes the whole plan of a stack: it lints the stack, reads every
// declared account through the provider (checking that each is the account
// the stack declares), computes the ordered changes and analyses them: who
// gains and who loses access, and whether the stack's expectations hold on
// the accounts as they will be.
func MakePlan(ctx context.Context, cfg *model.Config, prov Provider, opts PlanOptions) (*model.Plan, error) {
	var findings []model.Finding
	if !opts.Destroy {
		// A destroy plan is not linted: it removes what lint would judge.
		findings = lint.Check(cfg)
	}
	plan, err := MakeChanges(ctx, cfg, prov, opts)
	if err != nil {
		return nil, err
	}
	plan.Findings = findings
	// The accounts as they are and as the plan leaves them, evaluated once
	// for the access record and the analysis alike. The projection leaves
	// out the record's own changes: a record grants and denies nothing.
	projected := Project(plan.Actual, plan.Changes)
	now := access.New(access.Inputs{State: plan.Actual, Policies: opts.AWSManaged})
	after := access.New(access.Inputs{State: projected, Policies: opts.AWSManaged})
	if err := recordAccess(cfg, plan, now, after, projected); err != nil {
		return nil, err
	}
	analyse(cfg, plan, now, after, projected)
	return plan, nil
}

// MakeChanges is MakePlan without the lint findings and the analysis: the
// accounts read and the ordered changes, for a question asked of the
// accounts as they will be (explain, who-can), which has no use for the
// plan's access diff and expectations and should not pay for them.
func MakeChanges(ctx context.Context, cfg *model.Config, prov Provider, opts PlanOptions) (*model.Plan, error) {
	actual, accounts, err := ReadAccounts(ctx, cfg, prov)
	if err != nil {
		return nil, err
	}
	for _, ac := range cfg.Accounts {
		if ac.External {
			accounts = append(accounts, model.PlanAccount{Name: ac.Name, ID: ac.ID, External: true})
		}
	}
	desired := model.NewState()
	if !opts.Destroy {
		if desired, err = Desired(cfg); err != nil {
			return nil, err
		}
	}
	changes, err := Diff(actual, desired, cfg)
	if err != nil {
		return nil, err
	}
	return &model.Plan{
		Stack:    cfg.Stack.Name,
		Target:   prov.Describe(),
		Destroy:  opts.Destroy,
		Accounts: accounts,
		Changes:  Order(changes),
		Actual:   actual,
	}, nil
}

// analyse fills in what the plan means for access: who gains and who loses
// the ability to assume which role, and the stack's expectations, both on the
// accounts as they will be after the plan. A destroy plan checks no
// expectation: removing the stack is meant to remove the access it expects.
func analyse(cfg *model.Config, plan *model.Plan, now, after *access.Evaluator, projected *model.State) {
	plan.Access = access.DiffChanges(now, after, plan.Changes)
	if plan.Destroy || len(cfg.Expectations) == 0 {
		return
	}
	plan.Expectations = expect.Check(cfg, projected, after)
}

// ReadAccounts reads all declared accounts concurrently, after checking that
// every account's identity is in the declared account: reading (and later
// writing) the wrong account is the one mistake a provisioner of access must
// not make, so no account is read until all identities are confirmed.
// External accounts are neither checked nor read: the stack holds no
// credentials for them.
func ReadAccounts(ctx context.Context, cfg *model.Config, prov Provider) (*model.State, []model.PlanAccount, error) {
	managed := cfg.Managed()
	accounts := make([]model.PlanAccount, len(managed))
	err := forEachAccount(managed, func(i int, ac *model.AccountConfig) error {
		id, err := checkIdentity(ctx, prov, ac)
		if err != nil {
			return err
		}
		accounts[i] = model.PlanAccount{Name: ac.Name, ID: ac.ID, Identity: id.ARN}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	read := make([]*model.Account, len(managed))
	var org *model.Organization
	var orgErr error
	var orgRead sync.WaitGroup
	if cfg.Organization != nil {
		// The organisation is read beside the accounts, through its own
		// account's identity, which was checked above.
		orgRead.Go(func() { org, orgErr = readOrganization(ctx, cfg, prov) })
	}
	err = forEachAccount(managed, func(i int, ac *model.AccountConfig) error {
		a, err := readAccount(ctx, cfg, prov, ac, false)
		read[i] = a
		return err
	})
	orgRead.Wait()
	if err != nil {
		return nil, nil, err
	}
	if orgErr != nil {
		return nil, nil, orgErr
	}
	state := model.NewState()
	for i, a := range read {
		state.Accounts[managed[i].ID] = a
	}
	state.Organization = org
	return state, accounts, nil
}

// readOrganization reads the organisation the organization block names,
// for the stack's managed accounts.
func readOrganization(ctx context.Context, cfg *model.Config, prov Provider) (*model.Organization, error) {
	via := cfg.Account(cfg.Organization.Account)
	if via == nil {
		return nil, fmt.Errorf("the organization block (%s) names account %s, which the stack does not declare", cfg.Organization.Source, cfg.Organization.Account)
	}
	r, ok := prov.(OrganizationReader)
	if !ok {
		return nil, fmt.Errorf("the organization block (%s) asks to read the organisation, which the %s cannot do", cfg.Organization.Source, prov.Describe())
	}
	var ids []string
	for _, ac := range cfg.Managed() {
		ids = append(ids, ac.ID)
	}
	org, err := r.ReadOrganization(ctx, via, ids)
	if err != nil {
		return nil, fmt.Errorf("reading the organisation through account %s (%s), as the organization block at %s asks: %w", via.Name, via.ID, cfg.Organization.Source, err)
	}
	return org, nil
}

// ReadAccount reads one declared account as ReadAccounts reads each, its
// identity checked first, for import: every role no stack has tagged is
// completed with what the account read may leave out (description, maximum
// session duration), which import writes into the blocks.
func ReadAccount(ctx context.Context, cfg *model.Config, prov Provider, ac *model.AccountConfig) (*model.Account, Identity, error) {
	id, err := checkIdentity(ctx, prov, ac)
	if err != nil {
		return nil, id, err
	}
	a, err := readAccount(ctx, cfg, prov, ac, true)
	return a, id, err
}

// checkIdentity confirms that the credentials of an account act in it.
func checkIdentity(ctx context.Context, prov Provider, ac *model.AccountConfig) (Identity, error) {
	id, err := prov.Identity(ctx, ac)
	if err != nil {
		return id, fmt.Errorf("account %s (%s): cannot establish identity: %w", ac.Name, ac.ID, err)
	}
	if id.Account != ac.ID {
		return id, fmt.Errorf("account %s is declared as %s, but its credentials act as %s in account %s: nothing was read or changed; fix the account's credentials or its id", ac.Name, ac.ID, id.ARN, id.Account)
	}
	return id, nil
}

// readAccount reads an account, completes the roles the caller compares
// (detailUntagged: every role no stack has tagged; otherwise those the
// stack adopts) and marks what the stack owns.
func readAccount(ctx context.Context, cfg *model.Config, prov Provider, ac *model.AccountConfig, detailUntagged bool) (*model.Account, error) {
	a, err := prov.Read(ctx, ac)
	if err != nil {
		return nil, fmt.Errorf("account %s (%s): read: %w", ac.Name, ac.ID, err)
	}
	if err := detailRoles(ctx, cfg, prov, ac, a, detailUntagged); err != nil {
		return nil, fmt.Errorf("account %s (%s): read: %w", ac.Name, ac.ID, err)
	}
	ownership.MarkOwnership(a, cfg.Stack.Name)
	return a, nil
}

// accountsAtOnce is how many accounts forEachAccount reads at once. The
// calls themselves are bounded by the provider (the aws target's
// -parallelism, 32 by default, over all accounts), so this only keeps the
// goroutines and the accounts read but not yet merged in proportion. It was
// 8, which would leave most of those slots idle while each account's few
// calls wait on the network (reasoned, not yet measured at 1,000 accounts
// on AWS; on moto, whose one process serves some 65 calls a second, it
// makes no difference).
const accountsAtOnce = 32

// forEachAccount runs fn for every given account, accountsAtOnce at a time,
// and returns every error. A fixed pool of workers takes the accounts in
// turn rather than a goroutine each waiting its turn: at 1,000 accounts the
// goroutines would each grow a stack deep enough for the SDK's middleware
// from nothing, a tenth of the plan's CPU when profiled on moto.
func forEachAccount(accounts []*model.AccountConfig, fn func(i int, ac *model.AccountConfig) error) error {
	errs := make([]error, len(accounts))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(accountsAtOnce, len(accounts)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(accounts) {
					return
				}
				errs[i] = fn(i, accounts[i])
			}
		})
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

// detailRoles completes, on a target that needs it, the roles of an account
// that carry no stack's tag yet (the account read leaves out their
// description and maximum session duration): those the stack adopts, which
// the diff compares like any owned role, or all of them (all).
func detailRoles(ctx context.Context, cfg *model.Config, prov Provider, ac *model.AccountConfig, a *model.Account, all bool) error {
	d, ok := prov.(RoleDetailer)
	if !ok {
		return nil
	}
	untagged := func(r *model.Role) bool { return r != nil && r.Tags[ownership.OwnerTagKey] == "" }
	var names []string
	if all {
		for _, r := range a.Roles {
			if untagged(r) {
				names = append(names, r.Name)
			}
		}
	} else {
		for _, r := range cfg.Roles {
			// The cheap tests first: this runs for every account over
			// every role of the stack.
			if !r.Adopt || r.Account != ac.ID {
				continue
			}
			if have := a.Roles[model.NameKey(r.Name)]; untagged(have) {
				names = append(names, have.Name)
			}
		}
	}
	if len(names) == 0 {
		return nil
	}
	return d.DetailRoles(ctx, ac, a, names)
}
