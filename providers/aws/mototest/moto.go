package mototest

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running moto_server.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:41234.
	URL string
	cmd *exec.Cmd
	out *bytes.Buffer

	mu      sync.Mutex
	stopped bool
}

// Base credentials for the test identity. moto routes requests by access key:
// unknown keys land in its default account 123456789012, and keys returned by
// sts:AssumeRole into arn:aws:iam::<id>:role/<any> land in <id>.
const (
	AccessKeyID     = "AKIATRUSTFORMTEST"
	SecretAccessKey = "trustform-test-secret"
	DefaultAccount  = "123456789012"
)

// Start runs moto_server for the test and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("moto_server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto_server is not installed, and CI=true requires the aws tests to run: install it with pip install 'moto[server]'")
		}
		t.Skip("moto_server is not installed: install it with pip install 'moto[server]' to run the aws target's tests")
	}
	// The fast tier (go test -short) leaves moto out: its tests take minutes
	// on a 2-core machine. CI runs them whatever the flags.
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("-short: the tests against moto_server run in the full tier (go test ./...)")
	}
	s, err := Launch()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("moto_server pid %d on %s", s.Pid(), s.URL)
	t.Cleanup(s.Stop)
	return s
}

// Launch runs moto_server on a free port of 127.0.0.1 and waits until it
// answers, for programs that are not tests (the benchmark). The caller stops
// it with Stop.
func Launch() (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server is not installed (pip install 'moto[server]'): %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("no free port on 127.0.0.1: %w", err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = motoEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// A process group of its own, so that stopping it by pid also stops any
	// child a wrapper script (a version manager's shim) may have started;
	// and, where the system can, killed when this process dies without
	// stopping it (a test binary ended by go test's timeout panic).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, out: &out}
	if err := s.waitReady(30 * time.Second); err != nil {
		s.Stop()
		return nil, fmt.Errorf("moto_server did not start: %v\n%s", err, out.String())
	}
	return s, nil
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// motoEnv is the environment moto_server needs: AWS-managed policies loaded
// (PowerUserAccess and the like exist only then), and no pinned account.
func motoEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MOTO_ACCOUNT_ID=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		resp, err := client.Get(s.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s within %s", s.URL, limit)
}

// Stop ends the server by its pid (its process group), never by name, once:
// after the process is reaped its pid may belong to another process.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.cmd.Process == nil {
		return
	}
	s.stopped = true
	pgid := -s.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-done
	}
}

// Reset empties moto's accounts, so one server can serve many tests.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	resp.Body.Close()
}

// Env sets the environment an SDK client needs to reach this server with the
// base test identity, for the rest of the test: the endpoint through the
// SDK's standard AWS_ENDPOINT_URL, static keys, a region, and no shared
// config that could send traffic elsewhere.
func (s *Server) Env(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            s.URL,
		"AWS_ACCESS_KEY_ID":           AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       SecretAccessKey,
		"AWS_REGION":                  "us-east-1",
		"AWS_DEFAULT_REGION":          "us-east-1", // the aws CLI v1 reads only this one
		"AWS_CONFIG_FILE":             dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
	// Settings that would send the test's traffic elsewhere or change its
	// identity are removed (t.Setenv first, so they come back afterwards).
	for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS",
		"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}
