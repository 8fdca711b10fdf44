// Package engine owns trustform's model of IAM and everything computed from it:
// the State of accounts (desired, actual and projected share one type), the
// Config that the schema package builds from HCL, Desired (Config → State),
// Diff (actual vs desired → changes), Plan (changes in dependency order) and
// Apply (walks a plan through a Provider, reporting through Hooks).
//
// The engine knows nothing of HCL, cty or AWS SDKs and never prints: views
// render its data, providers talk to targets.
package engine
