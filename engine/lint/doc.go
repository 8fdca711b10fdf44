// Package lint finds what is valid IAM but probably not what a stack's
// author meant, or is risky: a trust policy open to anyone, an MFA condition
// that does not require MFA, administrator rights on a role other accounts
// assume, a deny that can never take effect, a role that any repository on
// GitHub (or GitLab.com, HCP Terraform, Buildkite) can assume through the
// service's OIDC provider. Each rule has a stable id (TF001…), a severity,
// the block it concerns and how to fix it.
//
// It reads a stack's model.Config — documents already rendered to IAM
// JSON — and no account: `trustform lint` runs it alone, and every plan runs
// it and prints its findings as warnings (errors with -strict). What IAM
// itself refuses is the schema's business (errors at load time); lint is for
// what IAM accepts.
package lint
