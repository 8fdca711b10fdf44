package mototest

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// childEnv marks the copy of this test binary that starts a server and is
// then killed.
const childEnv = "TRUSTFORM_MOTOTEST_PARENT_CHILD"

// A test binary killed before its cleanups run (go test's timeout panic, a
// SIGKILL) must not leave its moto_server behind.
func TestServerDiesWithItsParent(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		s, err := Launch()
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println(s.URL, s.Pid())
		time.Sleep(time.Minute) // killed by the parent long before
		os.Exit(1)
	}
	if _, err := exec.LookPath("moto_server"); err != nil {
		Start(t) // skips, or fails under CI=true, with the install hint
	}
	child := exec.Command(os.Args[0], "-test.run=^TestServerDiesWithItsParent$")
	child.Env = append(os.Environ(), childEnv+"=1")
	child.Stderr = os.Stderr
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	// However the test ends, the child does not outlive it (killing it
	// twice is harmless).
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("the child printed no server: %v", err)
	}
	fields := strings.Fields(line)
	if len(fields) != 2 || fields[0] == "error" {
		t.Fatalf("the child could not start moto_server: %s", line)
	}
	url := fields[0]
	pid, err := strconv.Atoi(fields[1])
	if err != nil {
		t.Fatalf("the child printed %q", line)
	}
	// Should the server survive, it is stopped by its pid (its own process
	// group), never by name.
	t.Cleanup(func() { _ = syscall.Kill(-pid, syscall.SIGKILL) })

	if resp, err := http.Get(url + "/moto-api/"); err != nil {
		t.Fatalf("the child's server does not answer before the child is killed: %v", err)
	} else {
		resp.Body.Close()
	}
	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := client.Get(url + "/moto-api/")
		if err != nil {
			return // gone with its parent
		}
		resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatalf("moto_server (pid %d) still answers on %s 15 s after the process that started it was killed", pid, url)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
