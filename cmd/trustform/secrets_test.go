package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/providers/aws/faultproxy"
	"github.com/trustform/trustform/providers/aws/mototest"
)

// TestNoSecretIsEverWritten runs the whole command set against moto with
// credentials in the environment — the base identity's secret key and a
// session token, and the keys and tokens of every role STS hands out on the
// way (recorded by the proxy in front of moto) — and scans everything
// trustform wrote: standard output and error of every command, successful
// or failing, the saved plan and the imported file.
func TestNoSecretIsEverWritten(t *testing.T) {
	requireAWSCLI(t)
	moto := mototest.Start(t)
	moto.Env(t)
	dir := copyExample(t, "dev-prod")
	if out, err := exec.Command("bash", filepath.Join(dir, "seed-aws.sh")).CombinedOutput(); err != nil {
		t.Fatalf("seed-aws.sh: %v\n%s", err, out)
	}
	const sessionToken = "FwoGZXIvYXdzEXAMPLEsessionTOKENtrustformTEST0123456789"
	t.Setenv("AWS_SESSION_TOKEN", sessionToken)
	proxy := faultproxy.Start(t, moto.URL, faultproxy.Config{RecordSecrets: true})
	t.Setenv("AWS_ENDPOINT_URL", proxy.URL)

	saved := filepath.Join(dir, "plan.tfplan")
	wrong := copyExample(t, "dev-prod")
	mainHCL := filepath.Join(wrong, "main.hcl")
	text, err := os.ReadFile(mainHCL)
	if err != nil {
		t.Fatal(err)
	}
	// Credentials that cannot be had: an error path through the SDK.
	broken := strings.Replace(string(text), "  id = var.production_id\n", "  id      = var.production_id\n  profile = \"no-such-profile\"\n", 1)
	if broken == string(text) {
		t.Fatal("the production account block of dev-prod has changed: update this test")
	}
	if err := os.WriteFile(mainHCL, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}

	aws := strings.Fields(awsFlags)
	runs := []struct {
		args []string
		code int
	}{
		{[]string{"validate", dir}, 0},
		{[]string{"lint", dir}, 0},
		{append([]string{"plan", dir}, aws...), 0},
		{append([]string{"plan", "-json", dir}, aws...), 0},
		{append([]string{"plan", "-format", "markdown", dir}, aws...), 0},
		{append([]string{"plan", "-out", saved, dir}, aws...), 0},
		{[]string{"show", saved}, 0},
		{[]string{"show", "-json", saved}, 0},
		{[]string{"apply", saved}, 0},
		{append([]string{"apply", "-json", "-auto-approve", dir}, aws...), 0},
		{append([]string{"explain", "--principal", "user.david", "--resource", "role.update_app", dir}, aws...), 0},
		{append([]string{"who-can", "assume", "role.update_app", dir}, aws...), 0},
		{[]string{"access", dir}, 0},
		{[]string{"access", "-json", dir}, 0},
		{[]string{"graph", dir}, 0},
		{append([]string{"import", "--account", "development", "-out", "-", dir}, aws...), 0},
		{append([]string{"plan", wrong}, aws...), 1},
		{append([]string{"import", "--account", "staging", dir}, aws...), 1},
		{[]string{"apply", saved}, 1}, // applied already: stale
		{append([]string{"destroy", "-json", "-auto-approve", dir}, aws...), 0},
	}
	var written strings.Builder
	for _, r := range runs {
		res := mustRun(t, r.code, r.args...)
		written.WriteString(res.stdout)
		written.WriteString(res.stderr)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		written.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	secrets := append(proxy.Secrets(), mototest.SecretAccessKey, sessionToken)
	if len(secrets) < 4 {
		t.Fatalf("only %d secrets recorded: the roles' credentials did not pass the proxy", len(secrets))
	}
	out := written.String()
	for _, s := range secrets {
		if strings.Contains(out, s) {
			t.Errorf("a secret (%d characters, starting %q) appears in what trustform wrote", len(s), s[:4])
		}
	}
	t.Logf("%d commands, %d bytes written, %d secrets searched for, none found", len(runs), len(out), len(secrets))
}
