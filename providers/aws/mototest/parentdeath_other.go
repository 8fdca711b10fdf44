//go:build !linux

package mototest

import "syscall"

// dieWithParent does nothing where the kernel cannot signal a child when its
// parent dies: there a server outlives a test binary that is killed, and
// must be stopped by the pid its test logged.
func dieWithParent(*syscall.SysProcAttr) {}
