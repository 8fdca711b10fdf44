// Package engine is trustform's planner: Desired (Config → State), Diff
// (actual vs desired → changes), Order (changes in dependency order),
// MakePlan (read the accounts, diff, and analyse what the plan means for
// access and expectations) and Apply (walks a plan through a Provider,
// reporting through Hooks). The data it works on lives in engine/model and
// the rules of ownership in engine/ownership.
//
// The engine knows nothing of HCL, cty or AWS SDKs and never prints: views
// render its data, providers talk to targets.
package engine
