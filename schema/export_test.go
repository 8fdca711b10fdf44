package schema

// DiagnosticBytesScanned is how many source bytes printing diagnostics has
// read so far.
func DiagnosticBytesScanned() int64 { return scanned.Load() }
