// Package schema owns trustform's language: it reads a stack's HCL files
// (native syntax and JSON) and turns them into a model.Config.
//
// It owns everything between the text and the Config: the block types and
// their arguments, input variables (defaults, TRUSTFORM_VAR_ environment
// variables, -var-file and -var, in that order of precedence), locals, the
// function table, for_each, references between blocks, the order in which
// blocks are evaluated, and the validation of IAM's rules that can be checked
// without an account (names, paths, ids, tags, session durations, policy
// shapes). Once everything else is valid, it also checks IAM's default
// quotas on policy sizes (counted as IAM counts them; a principal's inline
// policies summed with those the stack's grants and denies add) and on
// attached policies, and that no trust or grant crosses partitions
// (limits.go). Problems come back as hcl.Diagnostics with the range of the
// expression or block at fault, all of them at once; they are never
// flattened into an error, so that the CLI can show each with its source
// snippet.
//
// Policy documents are rendered with engine/policy, ARNs with the engine's
// helpers; the package knows nothing of AWS APIs, plans or targets.
package schema
