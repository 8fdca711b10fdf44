// Package planfile owns trustform's plan as a document: the versioned JSON
// form that `plan -json` prints and `show -json` reads back, and the saved
// plan that `plan -out` writes and `apply FILE` carries out. A saved plan is
// the same document plus a fingerprint of the accounts it was computed from,
// the values of the stack's variables, a digest of the stack's files, and a
// checksum of its content. The checksum catches a plan damaged or edited by
// mistake, not one whose editor recomputes it: a saved plan is untrusted
// input, so `apply FILE` makes the plan again from the stack and the accounts
// and applies it only when its changes are the saved ones (Differences).
//
// The format is described by docs/plan.schema.json and is made of the wire
// structs in wire.go, which hold no type of the engine: Document and Change
// carry the engine's types for the code that builds and compares plans, and
// are encoded and read only through the wire, field by field, so the model
// can grow without changing the format. Fields are added, never renamed or
// removed, within a format_version.
package planfile
