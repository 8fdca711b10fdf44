// Package hclgen writes the HCL that declares IAM objects read from an
// account: the reverse of the schema package, for `trustform import`.
//
// It owns the choices that make generated code read as if written by hand —
// block labels derived from IAM names, references (account.x, role.x,
// policy.x, group.x) wherever the stack declares or imports the object an
// ARN names, trust blocks and statement blocks where they say exactly what
// the document says, jsonencode() where they cannot — and the rule that
// every object it writes is marked adopt = true, so that taking it over is
// an explicit, reviewable step. It recognises an inline policy that only
// allows or denies sts:AssumeRole on roles as a grant or deny, keeping its
// name (policy_name) so that adoption changes no document.
//
// It reads engine state and configuration and writes text; it makes no
// call to any account.
package hclgen
