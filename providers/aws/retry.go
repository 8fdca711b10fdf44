package aws

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/trustform/trustform/engine/model"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"golang.org/x/time/rate"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/engine/policy"
)

// Two kinds of retry happen around an IAM call.
//
// The SDK's standard retryer handles throttling, 5xx answers and transport
// errors, re-sending the same request. A re-sent create or delete whose first
// attempt did reach IAM then fails with EntityAlreadyExists or NoSuchEntity;
// the attempt counter below lets Apply recognise that case (see apply.go).
//
// IAM is eventually consistent: for a few seconds after a create, other calls
// may not see the new object (NoSuchEntity), and a trust policy naming a
// principal just created is refused ("Invalid principal in policy"). Those
// calls are retried here, with backoff and jitter, for at most
// Options.RetryTimeout — but only when the object the call needs is one this
// provider created, so that a genuine mistake (a typo in a policy ARN) fails
// at once instead of after minutes.

// attemptsKey carries an *atomic.Int32 that counts the attempts the SDK made
// for one call.
type attemptsKey struct{}

// withAttempts returns a context whose calls count their attempts, and the
// counter.
func withAttempts(ctx context.Context) (context.Context, *atomic.Int32) {
	n := new(atomic.Int32)
	return context.WithValue(ctx, attemptsKey{}, n), n
}

// addAttemptCounter installs the counter inside the retry loop, so that it
// runs once per attempt on the wire.
func addAttemptCounter(stack *middleware.Stack) error {
	m := middleware.FinalizeMiddlewareFunc("trustform.CountAttempts",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if n, ok := ctx.Value(attemptsKey{}).(*atomic.Int32); ok {
				n.Add(1)
			}
			return next.HandleFinalize(ctx, in)
		})
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(m, "Retry", middleware.After)
	}
	return stack.Finalize.Add(m, middleware.After)
}

// recentCreates remembers what this provider created, by object key and, for
// principals and policies, by ARN: the things a later call may find missing
// while IAM catches up.
type recentCreates struct {
	mu   sync.Mutex
	keys map[string]bool
}

func (r *recentCreates) add(keys ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys == nil {
		r.keys = map[string]bool{}
	}
	for _, k := range keys {
		r.keys[strings.ToLower(k)] = true
	}
}

func (r *recentCreates) any(keys ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range keys {
		if r.keys[strings.ToLower(k)] {
			return true
		}
	}
	return false
}

// objectKey names an object for recentCreates: account, kind and name
// (IAM names are case-insensitive, and recentCreates folds case).
func objectKey(account string, kind model.Kind, name string) string {
	return account + "/" + string(kind) + "/" + name
}

// trustPrincipals lists the AWS principals a trust policy names, for the
// "Invalid principal in policy" retry.
func trustPrincipals(doc string) []string {
	d, err := policy.Parse(doc)
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range d.Statements {
		out = append(out, s.Principals["AWS"]...)
		out = append(out, s.NotPrincipals["AWS"]...)
	}
	return out
}

// lagging reports whether err is IAM not yet seeing something just created.
func lagging(err error) bool {
	switch errorCode(err) {
	case "NoSuchEntity":
		return true
	case "MalformedPolicyDocument":
		return strings.Contains(strings.ToLower(errorText(err)), "invalid principal")
	}
	return false
}

// eventually runs call until it succeeds, fails with an error that is not
// IAM lagging behind a create of this provider's (see lagging; needs lists
// the keys of recentCreates the call depends on), or RetryTimeout has passed
// since the first failure. The error returned is call's last; waited is how
// long it was retried, zero when it was not.
func (p *Provider) eventually(ctx context.Context, op string, needs []string, call func(context.Context) error) (waited time.Duration, err error) {
	var start time.Time
	delay := p.backoffBase
	for attempt := 2; ; attempt++ {
		err = call(ctx)
		if err == nil || !lagging(err) || !p.recent.any(needs...) {
			return waited, err
		}
		if start.IsZero() {
			start = time.Now()
		}
		waited = time.Since(start)
		if waited >= p.opts.RetryTimeout {
			return waited, err
		}
		// Full jitter over the upper half of the window, so concurrent
		// changes do not retry in lockstep, and never past the bound.
		sleep := delay/2 + rand.N(delay/2+1)
		if rest := p.opts.RetryTimeout - waited; sleep > rest {
			sleep = rest
		}
		engine.ReportRetry(ctx, engine.RetryNotice{Op: op, Attempt: attempt, Wait: sleep,
			Reason: "IAM has not caught up with an object created moments ago: " + errorCode(err) + ": " + errorText(err)})
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return waited, ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, p.backoffCap)
	}
}

// The SDK's standard retryer re-sends throttled, 5xx and dropped calls
// inside the operation; these middlewares make each re-send visible
// (engine.ReportRetry) and keep every attempt under the account's rate
// limit.

// callState follows one operation across its attempts.
type callState struct {
	attempts int
	lastErr  error
	lastEnd  time.Time
}

type callStateKey struct{}

// addRetryReporter installs the reporting pair: the Initialize step (once per
// operation) starts a callState, the Finalize step after Retry (once per
// attempt) reports every attempt after the first with what the previous one
// answered.
func addRetryReporter(stack *middleware.Stack) error {
	start := middleware.InitializeMiddlewareFunc("trustform.RetryState",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(context.WithValue(ctx, callStateKey{}, &callState{}), in)
		})
	if err := stack.Initialize.Add(start, middleware.Before); err != nil {
		return err
	}
	report := middleware.FinalizeMiddlewareFunc("trustform.ReportRetry",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			st, _ := ctx.Value(callStateKey{}).(*callState)
			if st == nil {
				return next.HandleFinalize(ctx, in)
			}
			st.attempts++
			if st.attempts > 1 && st.lastErr != nil {
				engine.ReportRetry(ctx, engine.RetryNotice{
					Op:      strings.ToLower(awsmiddleware.GetServiceID(ctx)) + ":" + awsmiddleware.GetOperationName(ctx),
					Attempt: st.attempts, Wait: time.Since(st.lastEnd), Reason: retryReason(st.lastErr),
				})
			}
			out, md, err := next.HandleFinalize(ctx, in)
			st.lastErr, st.lastEnd = err, time.Now()
			return out, md, err
		})
	if _, ok := stack.Finalize.Get("Retry"); ok {
		return stack.Finalize.Insert(report, "Retry", middleware.After)
	}
	return stack.Finalize.Add(report, middleware.After)
}

// retryReason says what a failed attempt answered: an API error's code and
// message, or the transport error (a reset or dropped connection, a
// timeout). A transport error is said without the local port and the
// wrapping of each layer ("connection reset by peer (Post 127.0.0.1:4566)"),
// so that the same failure of many calls reads the same and groups.
//
// An API error is its code and message alone: the request ID, which errorText
// adds for a failure's report, differs on every call and a retry is
// reported as it happens.
func retryReason(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		cause := ue.Err.Error()
		if i := strings.LastIndex(cause, ": "); i >= 0 {
			cause = cause[i+2:]
		}
		host := ue.URL
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			host = u.Host
		}
		return fmt.Sprintf("%s (%s %s)", cause, ue.Op, host)
	}
	return err.Error()
}

// rateLimiter keeps one account's calls, attempts included, under a rate:
// IAM throttles per account, and a large apply that stays under the limit
// finishes sooner than one that is throttled and backs off.
func rateLimiter(lim *rate.Limiter) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		m := middleware.FinalizeMiddlewareFunc("trustform.RateLimit",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if err := lim.Wait(ctx); err != nil {
					return middleware.FinalizeOutput{}, middleware.Metadata{}, err
				}
				return next.HandleFinalize(ctx, in)
			})
		if _, ok := stack.Finalize.Get("Retry"); ok {
			return stack.Finalize.Insert(m, "Retry", middleware.After)
		}
		return stack.Finalize.Add(m, middleware.After)
	}
}
