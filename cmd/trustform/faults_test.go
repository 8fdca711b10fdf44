package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/internal/faultproxy"
	"github.com/trustform/trustform/internal/stackgen"
	awsprovider "github.com/trustform/trustform/providers/aws"
	"github.com/trustform/trustform/providers/aws/mototest"
)

// readStateAt reads a stack's accounts from the moto at endpoint, as JSON
// text: what the accounts hold, for comparing two runs.
func readStateAt(t *testing.T, endpoint, dir string) string {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
	ctx := context.Background()
	prov, err := awsprovider.New(ctx, awsprovider.Options{AssumeRoleName: "OrganizationAccountAccessRole"})
	if err != nil {
		t.Fatal(err)
	}
	state, _, err := engine.ReadAccounts(ctx, loadExample(t, dir), prov)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// applyEvents runs apply -json and returns its events by type.
func applyEvents(t *testing.T, args ...string) map[string][]map[string]any {
	t.Helper()
	r := mustRun(t, 0, args...)
	out := map[string][]map[string]any{}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("not a JSON event: %q", sc.Text())
		}
		typ, _ := ev["type"].(string)
		out[typ] = append(out[typ], ev)
	}
	return out
}

func writeStack(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestApplyThroughInjectedFaults applies stacks through a proxy that answers
// 20% of requests with throttling, server errors, dropped connections (some
// after the request did its work) and delays, and imitates IAM's
// propagation delay after creates. Each run must end in exactly the state a
// run without faults reaches, with the retries visible as events, and the
// next plan must be empty.
func TestApplyThroughInjectedFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("applies two stacks twice on moto")
	}
	requireAWSCLI(t)
	ownProcessesParent(t)
	gen := stackgen.Spec{Stack: "faults", Target: "aws", Accounts: 2, Roles: 24, Groups: 2}
	tests := []struct {
		name  string
		dir   func(t *testing.T) string
		seed  bool // dev-prod's groups and users must exist first
		least int  // objects the stack declares, at least
	}{
		{"dev-prod", func(t *testing.T) string { return copyExample(t, "dev-prod") }, true, 5},
		{"generated", func(t *testing.T) string { return writeStack(t, gen.Files()) }, false, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if inOwnProcess(t) {
				return
			}
			dir := tc.dir(t)
			clean, faulty := mototest.Start(t), mototest.Start(t)
			clean.Env(t)
			if tc.seed {
				for _, m := range []*mototest.Server{clean, faulty} {
					seedDevelopment(t, m, "111111111111")
				}
			}
			args := func(cmd ...string) []string { return append(append(cmd, strings.Fields(awsFlags)...), dir) }

			// The reference: the same stack applied without faults, and
			// without the rate limit, whose pace it does not need (the
			// generated stack's 200 changes would wait seconds for it).
			t.Setenv("AWS_ENDPOINT_URL", clean.URL)
			ref := applyEvents(t, args("apply", "-json", "-auto-approve", "--rate-limit", "0")...)
			want := readStateAt(t, clean.URL, dir)

			proxy := faultproxy.Start(t, faulty.URL, faultproxy.Config{Rate: 0.2, Propagation: 2 * time.Second, Seed: 7})
			t.Setenv("AWS_ENDPOINT_URL", proxy.URL)
			start := time.Now()
			events := applyEvents(t, args("apply", "-json", "-auto-approve", "--retry-timeout", "1m")...)
			elapsed := time.Since(start)
			stats := proxy.Stats()

			done := events["apply_complete"]
			if len(done) != 1 || done[0]["failed"].(float64) != 0 || done[0]["skipped"].(float64) != 0 {
				t.Fatalf("the apply through faults did not complete cleanly: %v", events["apply_complete"])
			}
			if n := len(events["change_finished"]); n < tc.least || n != len(ref["change_finished"]) {
				t.Fatalf("%d changes applied through faults, %d without; want the same, at least %d", n, len(ref["change_finished"]), tc.least)
			}
			retries := len(events["change_retry"]) + len(events["read_retry"])
			if len(events["change_retry"]) == 0 || done[0]["retries"].(float64) != float64(retries) {
				t.Errorf("retries are not visible: %d change_retry and %d read_retry events, apply_complete says %v", len(events["change_retry"]), len(events["read_retry"]), done[0]["retries"])
			}
			for _, ev := range append(events["change_retry"], events["read_retry"]...) {
				if ev["operation"] == "" || ev["reason"] == "" || ev["attempt"].(float64) < 2 {
					t.Errorf("a retry event lacks its operation, reason or attempt: %v", ev)
				}
			}
			if stats.Total() < max(3, stats.Requests/10) {
				t.Errorf("only %d faults were injected (%+v): the test proves little", stats.Total(), stats)
			}
			t.Logf("%s: %d changes through %d requests, %d faults injected %v, %d lags, %d retries reported, %s",
				tc.name, len(events["change_finished"]), stats.Requests, stats.Total()-stats.Lagged, stats.Injected, stats.Lagged, retries, elapsed.Round(time.Millisecond))

			if got := readStateAt(t, faulty.URL, dir); got != want {
				t.Errorf("the accounts differ from a run without faults:\nwith faults: %s\nwithout:     %s", got, want)
			}
			t.Setenv("AWS_ENDPOINT_URL", faulty.URL)
			mustRun(t, 0, args("plan", "-detailed-exitcode")...)
		})
	}
}
