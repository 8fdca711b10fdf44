package schema

// DiagnosticBytesScanned is how many source bytes printing diagnostics has
// read so far.
func DiagnosticBytesScanned() int64 { return scanned.Load() }

// SlowListConversions is how many lists have been converted by go-cty's
// element type unification so far.
func SlowListConversions() int64 { return slowConversions.Load() }

// MaxValues is the most elements one argument may hold.
const MaxValues = maxValues
