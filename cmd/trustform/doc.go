// Command trustform provisions AWS IAM cross-account trust setups from HCL.
//
// This package is the command line only: flags, choosing a target and a view,
// confirmation prompts and exit codes. Loading stacks belongs to schema,
// planning and applying to engine, targets to providers, rendering to views.
package main
