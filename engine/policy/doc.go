// Package policy owns IAM policy documents as data: building them from typed
// statements, parsing IAM JSON, the canonical form used to compare documents
// without spurious diffs, and the size IAM counts against its limits.
package policy
