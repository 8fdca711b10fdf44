// Package stackgen writes synthetic stacks of a chosen size for the tests
// and benchmarks that need many objects: N accounts, each with R roles (each
// trusting the next account with MFA required, with one attached managed
// policy of its own and one inline policy) and G groups the stack owns, each
// granted the next account's roles and denied one of them.
package stackgen
