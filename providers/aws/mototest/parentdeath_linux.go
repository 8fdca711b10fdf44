package mototest

import "syscall"

// dieWithParent has the kernel kill the server when the process that
// started it dies. The signal survives the exec chain of a version manager's
// shim. Go starts children from threads it does not retire unless a locked
// goroutine exits, which this package never does, so the signal comes only
// when the whole process ends.
func dieWithParent(attr *syscall.SysProcAttr) {
	attr.Pdeathsig = syscall.SIGKILL
}
