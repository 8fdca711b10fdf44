//go:build !linux

package main

import "syscall"

// ownProcessAttr is nothing special where the kernel cannot kill a child
// with its parent: a test's own process ends by its own -test.timeout, the
// test binary's.
func ownProcessAttr() *syscall.SysProcAttr { return nil }
