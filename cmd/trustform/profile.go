package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
)

// profileCPU writes a CPU profile of the whole command to the file named by
// TRUSTFORM_CPU_PROFILE, when it is set: for measuring a plan against a real
// target (an organisation's thousand accounts, or moto holding them), which
// no Go benchmark reaches. It returns the function that stops it.
func profileCPU() func() {
	path := os.Getenv("TRUSTFORM_CPU_PROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "Warning: TRUSTFORM_CPU_PROFILE: %v; no profile is written\n", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "Warning: TRUSTFORM_CPU_PROFILE: %v; no profile is written\n", err)
		f.Close()
		return func() {}
	}
	stopOnce = sync.OnceFunc(func() {
		pprof.StopCPUProfile()
		f.Close()
	})
	return stopProfile
}

var stopOnce = func() {}

// stopProfile ends the CPU profile, if one is being written; main calls it
// before os.Exit, which runs no deferred function.
func stopProfile() { stopOnce() }
