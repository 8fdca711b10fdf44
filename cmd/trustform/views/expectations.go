package views

import (
	"fmt"
	"io"

	"github.com/trustform/trustform/engine/model"
)

// Expectations renders the results of a plan's expect blocks: each with its
// verdict, and the chain of reasons under a failed one.
func Expectations(w io.Writer, results []model.ExpectationResult, c Colors) {
	if len(results) == 0 {
		return
	}
	passed := 0
	for _, r := range results {
		if r.Passed {
			passed++
		}
	}
	fmt.Fprintf(w, "\n%sExpectations%s (checked on the accounts as they will be after this plan):\n", c.Bold, c.Reset)
	for _, r := range results {
		mark := c.Green + "pass" + c.Reset
		if !r.Passed {
			mark = c.Red + "FAIL" + c.Reset
		}
		fmt.Fprintf(w, "  %s  %s: %s\n", mark, r.Address, r.Summary)
		for i, reason := range r.Reasons {
			if r.Passed && i > 0 {
				break // a passing expectation needs one line of why
			}
			fmt.Fprintf(w, "          %s\n", reason)
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed.\n", passed, len(results)-passed)
}
