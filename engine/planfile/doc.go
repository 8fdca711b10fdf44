// Package planfile owns trustform's plan as a document: the versioned JSON
// form that `plan -json` prints and `show -json` reads back, and the saved
// plan that `plan -out` writes and `apply FILE` carries out. A saved plan is
// the same document plus a fingerprint of the accounts it was computed from,
// so that applying it to accounts that changed since is refused, and a
// checksum of its content, so that a plan edited by hand is refused. The
// checksum protects against mistakes, not against someone who recomputes it:
// guard saved plans as the pipeline's other artifacts.
//
// The format is described by docs/plan.schema.json. Fields are added, never
// renamed or removed, within a format_version.
package planfile
