// Package model is trustform's picture of IAM, at the bottom of the engine:
// the State of accounts (desired, actual and projected share one type) and
// their objects, the Change a plan is made of and its Key, the Config that the
// schema package builds from HCL, and the Plan with its access changes and
// expectation results. It is plain data with the few rules every layer above
// shares (keys, ARNs, clones), so that the evaluator, the expectations, lint
// and the planner all import the model and none of them the planner.
package model
