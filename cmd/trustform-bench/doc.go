// Command trustform-bench measures trustform side by side with Terraform on
// generated stacks of about 50, 500, 2,000 and 10,000 IAM objects
// (internal/stackgen), each against a fresh moto_server on 127.0.0.1: apply
// from empty, a no-change plan, a one-change apply and destroy. For every
// phase it records wall and CPU time, the peak memory of the tool's
// processes summed (Terraform runs a provider process per account), and the
// API calls by action, counted on the wire by a proxy in front of moto. It
// writes BENCHMARKS.md with the medians of the runs, their range and the
// ratios, and an SVG plot of no-change plan time against the number of
// objects.
//
// It is a developer tool, not part of trustform: run it from the repository
// root with `go run ./cmd/trustform-bench`. Terraform's column is skipped,
// with a note, when terraform or its AWS provider mirror is missing.
package main
