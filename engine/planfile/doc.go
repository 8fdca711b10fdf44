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
// The format is described by docs/plan.schema.json and is Document itself,
// encoded as it is: it and its changes and objects (wire.go) hold no type of
// the engine. The engine's plan becomes a document (FromPlan) and a document
// the engine's plan (Document.Plan) field by field, at that boundary only,
// so the model can grow without changing the format. Fields are added,
// never renamed or removed, within a format_version.
package planfile
