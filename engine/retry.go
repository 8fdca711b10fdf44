package engine

import (
	"context"
	"time"

	"github.com/trustform/trustform/engine/model"
)

// RetryNotice reports one call a provider is about to retry while applying a
// change: throttling, a 5xx answer, a dropped connection, or IAM not yet
// seeing an object created moments before. Apply hands it to the hooks, so
// that every retry is visible in the progress output and the JSON events.
type RetryNotice struct {
	Op      string        // the API operation, e.g. "iam:CreateRole"
	Attempt int           // the attempt about to be made: 2 for the first retry
	Wait    time.Duration // the pause before it
	Reason  string        // what the failed attempt answered
}

// RetryHooks is implemented by Hooks that want to hear of retries.
type RetryHooks interface {
	Retrying(c *model.Change, n RetryNotice)
}

type retryReporterKey struct{}

// WithRetryReporter returns a context whose provider calls report their
// retries to fn.
func WithRetryReporter(ctx context.Context, fn func(RetryNotice)) context.Context {
	return context.WithValue(ctx, retryReporterKey{}, fn)
}

// ReportRetry is how a provider reports a retry: to the reporter of the
// context, if the caller installed one.
func ReportRetry(ctx context.Context, n RetryNotice) {
	if fn, ok := ctx.Value(retryReporterKey{}).(func(RetryNotice)); ok && fn != nil {
		fn(n)
	}
}
