package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/trustform/trustform/engine/model"

	"github.com/hashicorp/go-multierror"
)

// ApplyOptions tunes Apply.
type ApplyOptions struct {
	// Concurrency bounds how many changes run at once in one account
	// (default 4). IAM throttles per account, so more is rarely faster;
	// accounts proceed independently of each other.
	Concurrency int
	Hooks       Hooks
}

// Apply carries out a plan through the provider. Changes whose dependencies
// have succeeded run concurrently up to the bound; a change whose dependency
// failed is skipped and reported, never attempted. Every failure is returned,
// aggregated, after all that could run has run.
func Apply(ctx context.Context, plan *model.Plan, cfg *model.Config, prov Provider, opts ApplyOptions) error {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	hooks := opts.Hooks
	if hooks == nil {
		hooks = nopHooks{}
	}
	accounts := map[string]*model.AccountConfig{}
	for _, a := range cfg.Accounts {
		accounts[a.ID] = a
	}
	n := len(plan.Changes)
	waiting := make([]int, n)
	dependents := make([][]int, n)
	// The access record is written last, and only when every other change
	// completed: it records who can assume the stack's roles once the plan
	// is applied, which is true only then (see ownership's access record).
	// An edge from every change would make the plan's size quadratic; one
	// barrier does the same.
	var finals []int
	final := make([]bool, n)
	others := 0 // changes not yet settled that the access record waits for
	othersFailed := false
	for i, c := range plan.Changes {
		waiting[i] = len(c.DependsOn)
		for _, d := range c.DependsOn {
			dependents[d] = append(dependents[d], i)
		}
		if IsAccessRecordAddress(c.Address) {
			finals, final[i] = append(finals, i), true
		} else {
			others++
		}
	}
	if others > 0 {
		for _, j := range finals {
			waiting[j]++
		}
	}

	var (
		mu      sync.Mutex
		errs    *multierror.Error
		failed  = make([]bool, n)
		settled int
		closed  bool
		wg      sync.WaitGroup
		ready   = make(chan int, n)
		sems    = map[string]chan struct{}{}
	)
	for _, c := range plan.Changes {
		if sems[c.Account.ID] == nil {
			sems[c.Account.ID] = make(chan struct{}, opts.Concurrency)
		}
	}
	// settle records the end of change i and releases or skips its dependents.
	// It is called with mu held.
	var settle func(i int, ok bool)
	settle = func(i int, ok bool) {
		settled++
		if !final[i] {
			others--
			othersFailed = othersFailed || !ok
			if others == 0 {
				for _, j := range finals {
					switch {
					case waiting[j] < 0:
					case othersFailed:
						failed[j] = true
						hooks.Skipped(plan.Changes[j], "not every other change of the plan completed: the record keeps who could assume the roles at the last complete apply")
						waiting[j] = -1
						settle(j, false)
					default:
						waiting[j]--
						if waiting[j] == 0 {
							ready <- j
						}
					}
				}
			}
		}
		for _, j := range dependents[i] {
			if !ok {
				if !failed[j] {
					failed[j] = true
					hooks.Skipped(plan.Changes[j], fmt.Sprintf("it depends on %s, which did not complete", Describe(plan.Changes[i])))
					waiting[j] = -1
					settle(j, false)
				}
				continue
			}
			if waiting[j] < 0 {
				continue
			}
			waiting[j]--
			if waiting[j] == 0 {
				ready <- j
			}
		}
		if settled == n && !closed {
			// Skipped dependents settle inside this call, so the last
			// change may be counted in a nested call: close only once.
			closed = true
			close(ready)
		}
	}
	if n == 0 {
		return nil
	}
	for i := range plan.Changes {
		if waiting[i] == 0 {
			ready <- i
		}
	}
	for i := range ready {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := plan.Changes[i]
			sem := sems[c.Account.ID]
			sem <- struct{}{}
			defer func() { <-sem }()
			var err error
			if ctx.Err() != nil {
				err = ctx.Err()
			} else {
				hooks.Started(c)
				start := time.Now()
				callCtx := ctx
				if rh, ok := hooks.(RetryHooks); ok {
					callCtx = WithRetryReporter(ctx, func(n RetryNotice) { rh.Retrying(c, n) })
				}
				err = applyOne(callCtx, prov, accounts[c.Account.ID], c)
				if errors.Is(err, ErrAlreadyApplied) {
					// Another run got there first: the object is as this
					// change leaves it, which is all the change is for.
					if ah, ok := hooks.(AlreadyAppliedHooks); ok {
						ah.AlreadyApplied(c, err.Error())
					} else {
						hooks.Finished(c, time.Since(start), nil)
					}
					err = nil
				} else {
					hooks.Finished(c, time.Since(start), err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed[i] = true
				errs = multierror.Append(errs, fmt.Errorf("%s: %w", Describe(c), err))
			}
			settle(i, err == nil)
		}()
	}
	wg.Wait()
	return errs.ErrorOrNil()
}

// applyOne hands one change to the provider. Providers know create, update
// and delete; an adoption is an update of the attributes it lists (on a role
// or user, the ownership tag among them) and needs no call when it lists none,
// since a group's or policy's adoption is written by the ledger change.
func applyOne(ctx context.Context, prov Provider, acct *model.AccountConfig, c *model.Change) error {
	if c.Action != model.Adopt {
		return prov.Apply(ctx, acct, c)
	}
	if len(c.Attrs) == 0 {
		return nil
	}
	update := *c
	update.Action = model.Update
	return prov.Apply(ctx, acct, &update)
}

// Describe names a change for messages: "create role UpdateApp in production (999999999999)".
func Describe(c *model.Change) string {
	return fmt.Sprintf("%s %s in %s (%s)", c.Action, ObjectName(c), c.Account.Name, c.Account.ID)
}

// ObjectName names the object of a change for people, e.g. role "UpdateApp"
// or inline policy "trustform.devprod.grant.x" of group "Developers".
func ObjectName(c *model.Change) string {
	o := c.After
	if model.Absent(o) {
		o = c.Before
	}
	if model.Absent(o) {
		return string(c.Kind)
	}
	return model.SpecOf(o).Name(o)
}

type nopHooks struct{}

func (nopHooks) Started(*model.Change)                        {}
func (nopHooks) Finished(*model.Change, time.Duration, error) {}
func (nopHooks) Skipped(*model.Change, string)                {}

// Hooks receives progress from Apply. The engine never prints; the CLI turns
// these calls into lines on a terminal or JSON events.
type Hooks interface {
	Started(c *model.Change)
	Finished(c *model.Change, elapsed time.Duration, err error)
	Skipped(c *model.Change, reason string)
}
