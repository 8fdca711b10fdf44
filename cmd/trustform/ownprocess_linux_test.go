package main

import "syscall"

// ownProcessAttr has the kernel kill a test's own process (see inOwnProcess)
// if the test binary that started it dies first, as go test's timeout makes
// it; its moto_server then goes with it (see mototest).
func ownProcessAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
