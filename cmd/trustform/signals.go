package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Signals. SIGINT (Ctrl-C) and SIGTERM end every command promptly:
//
//   - A command that changes nothing (validate, plan, show, explain, ...)
//     exits at once, with 130 after SIGINT and 143 after SIGTERM, as a shell
//     reports a process the signal ended. Whatever it was doing (reading a
//     file, evaluating a large stack, reading accounts) is abandoned;
//     nothing it leaves behind needs cleaning up: the local target's lock is
//     a flock(2) that dies with the process.
//   - While changes are being made (apply and destroy, a saved plan or
//     formatted file being written) the first signal cancels the command's
//     context: the calls in flight finish, no new one starts, and the
//     command reports what was applied and exits. A second signal exits at
//     once.

// interruptible tracks whether the process may exit at once on a signal.
type interruptible struct {
	mu       sync.Mutex
	critical int  // sections that must finish what they started
	got      bool // a signal arrived during a critical section
	code     int  // the exit code for that signal
}

var signals interruptible

// finishing runs fn as a section that a first signal does not cut short:
// fn sees its context cancelled and is expected to stop at the next safe
// point. A second signal still exits at once.
func finishing(fn func() error) error {
	signals.mu.Lock()
	signals.critical++
	signals.mu.Unlock()
	defer func() {
		signals.mu.Lock()
		signals.critical--
		signals.mu.Unlock()
	}()
	return fn()
}

// notifyContext is signal.NotifyContext for SIGINT and SIGTERM, with the
// behaviour above. exit is os.Exit outside tests.
func notifyContext(parent context.Context, stderr io.Writer, exit func(int)) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			code := 130
			if sig == syscall.SIGTERM {
				code = 143
			}
			signals.mu.Lock()
			critical := signals.critical > 0
			signals.got, signals.code = true, code
			signals.mu.Unlock()
			cancel()
			if !critical {
				fmt.Fprintf(stderr, "\nInterrupted (%s): stopped; nothing was changed.\n", sig)
				exit(code)
				return
			}
			fmt.Fprintf(stderr, "\nInterrupted (%s): finishing the changes in flight, then stopping; signal again to exit at once.\n", sig)
			select {
			case sig := <-ch:
				fmt.Fprintf(stderr, "\nInterrupted again (%s): exiting at once; the next plan shows what was applied.\n", sig)
				exit(code)
			case <-done:
			}
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
}

// interruptedCode is the exit code after a signal that arrived during a
// critical section, or 0.
func interruptedCode() int {
	signals.mu.Lock()
	defer signals.mu.Unlock()
	if signals.got {
		return signals.code
	}
	return 0
}
