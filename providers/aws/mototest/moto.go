package mototest

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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
	URL    string
	cmd    *exec.Cmd
	out    *syncBuffer
	site   string        // the directory of sitecustomize.py, removed on Stop
	exited chan struct{} // closed once the process is reaped

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

// Start runs moto_server for the test and stops it when the test ends. The
// server is the one Launch runs, except that its Python loads
// sitecustomize.py, which makes AWS managed policies cost next to nothing
// without changing an answer (see that file): a reset, and the first call
// in each account, otherwise take about a second each.
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
	s, err := launch(true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("moto_server pid %d on %s", s.Pid(), s.URL)
	t.Cleanup(s.Stop)
	return s
}

// Launch runs moto_server on a free port of 127.0.0.1 and waits until it
// answers, for programs that are not tests (the benchmark). The caller stops
// it with Stop. It is moto as installed, so that what the benchmark measures
// does not depend on this package.
func Launch() (*Server, error) { return launch(false) }

// LaunchCheapPolicies is Launch with the AWS managed policies made cheap, as
// Start makes them (sitecustomize.py; no answer changes): moto as installed
// builds its catalogue of them into every account's backend, which at a
// thousand accounts costs it minutes of CPU and more memory than the
// machine has. The benchmark's organisation-scale sizes use it, and say so.
func LaunchCheapPolicies() (*Server, error) { return launch(true) }

//go:embed sitecustomize.py
var siteCustomize []byte

func launch(cheapPolicies bool) (*Server, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server is not installed (pip install 'moto[server]'): %w", err)
	}
	var site string
	if cheapPolicies {
		if site, err = os.MkdirTemp("", "mototest-site-"); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(site, "sitecustomize.py"), siteCustomize, 0o644); err != nil {
			os.RemoveAll(site)
			return nil, err
		}
	}
	// A port picked free here may be taken by another process before moto
	// binds it: moto then exits at once, and it is started again on another.
	for attempt := 1; ; attempt++ {
		s, err := start(bin, site)
		if err == nil || !errors.Is(err, errExited) || attempt == 3 {
			if err != nil && site != "" {
				os.RemoveAll(site)
			}
			return s, err
		}
	}
}

var errExited = errors.New("moto_server exited")

func start(bin, site string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("no free port on 127.0.0.1: %w", err)
	}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = motoEnv(site)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// A process group of its own, so that stopping it by pid also stops any
	// child a wrapper script (a version manager's shim) may have started;
	// and, where the system can, killed when this process dies without
	// stopping it (a test binary ended by go test's timeout panic).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithParent(cmd.SysProcAttr)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto_server: %w", err)
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, out: out, site: site, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	if err := s.waitReady(30 * time.Second); err != nil {
		s.site = "" // the caller's, for the next attempt
		s.Stop()
		return nil, fmt.Errorf("moto_server did not start: %w\n%s", err, out.String())
	}
	return s, nil
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// motoEnv is the environment moto_server needs: AWS-managed policies loaded
// (PowerUserAccess and the like exist only then), no pinned account, and
// site (if any) first on Python's path, for its sitecustomize.py.
func motoEnv(site string) []string {
	var env []string
	pythonPath := ""
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "MOTO_ACCOUNT_ID="):
			continue
		case site != "" && strings.HasPrefix(kv, "PYTHONPATH="):
			pythonPath = strings.TrimPrefix(kv, "PYTHONPATH=")
			continue
		}
		env = append(env, kv)
	}
	if site != "" {
		if pythonPath != "" {
			site += string(os.PathListSeparator) + pythonPath
		}
		env = append(env, "PYTHONPATH="+site)
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
		select {
		case <-s.exited:
			// Most often its port was taken: what answers there now, if
			// anything, is not this server.
			return errExited
		default:
		}
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
	defer func() {
		if s.site != "" {
			os.RemoveAll(s.site)
		}
	}()
	select {
	case <-s.exited:
		return // reaped already: its pid may be another process's now
	default:
	}
	pgid := -s.cmd.Process.Pid
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-s.exited
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

// syncBuffer is the server's output, written by the goroutines that copy
// its stdout and stderr and read when it fails.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
