package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustform/trustform/internal/faultproxy"
	"github.com/trustform/trustform/providers/aws/mototest"
)

// TestNoSecretIsEverWritten runs the whole command set against moto with
// credentials in the environment — the base identity's secret key and a
// session token, and the keys and tokens of every role STS hands out on the
// way (recorded by the proxy in front of moto) — and scans everything
// trustform wrote: standard output and error of every command, successful
// or failing, the saved plan and the imported file.
func TestNoSecretIsEverWritten(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	dir, moto := devProdOnMoto(t)
	const sessionToken = "FwoGZXIvYXdzEXAMPLEsessionTOKENtrustformTEST0123456789"
	t.Setenv("AWS_SESSION_TOKEN", sessionToken)
	proxy := faultproxy.Start(t, moto.URL, faultproxy.Config{RecordSecrets: true})
	t.Setenv("AWS_ENDPOINT_URL", proxy.URL)

	saved := filepath.Join(dir, "plan.tfplan")
	// Credentials that cannot be had: an error path through the SDK.
	wrong := copyExample(t, "dev-prod")
	setProductionProfile(t, wrong, "no-such-profile")

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
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
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

// TestCredentialProcessOutputIsNeverShown gives an account a profile whose
// credential_process prints credentials the SDK cannot read (an expiry that
// is no date): the SDK's error then quotes the process's whole output, keys
// included. trustform must say what failed without repeating it. No
// request leaves the machine: the endpoint is a closed port of 127.0.0.1.
func TestCredentialProcessOutputIsNeverShown(t *testing.T) {
	const (
		secretKey    = "procSECRETkeyTRUSTFORMtest0123456789abcdef"
		sessionToken = "procSESSIONtokenTRUSTFORMtest0123456789"
	)
	home := t.TempDir()
	script := filepath.Join(home, "creds.sh")
	output := `{"Version": 1, "AccessKeyId": "AKIAPROCESSTEST", "SecretAccessKey": "` + secretKey + `", "SessionToken": "` + sessionToken + `", "Expiration": "next tuesday"}`
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho '"+output+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(home, "config")
	if err := os.WriteFile(config, []byte("[profile proc]\nregion = us-east-1\ncredential_process = "+script+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":             config,
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_ENDPOINT_URL":            "http://127.0.0.1:1",
		"AWS_ACCESS_KEY_ID":           mototest.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       mototest.SecretAccessKey,
		"AWS_REGION":                  "us-east-1",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_MAX_ATTEMPTS":            "1",
	} {
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}

	dir := copyExample(t, "dev-prod")
	setProductionProfile(t, dir, "proc")

	for _, args := range [][]string{
		{"plan", "--target", "aws", dir},
		{"apply", "-json", "-auto-approve", "--target", "aws", dir},
	} {
		res := mustRun(t, 1, args...)
		out := res.stdout + res.stderr
		for _, s := range []string{secretKey, sessionToken} {
			if strings.Contains(out, s) {
				t.Errorf("trustform %s wrote a secret of the credential process's output:\n%s", strings.Join(args, " "), out)
			}
		}
		if !strings.Contains(out, "credential_process gave no credentials") || !strings.Contains(out, "the output is not shown") || !strings.Contains(out, `"next tuesday"`) {
			t.Errorf("trustform %s does not say that the credential process's output did not parse, and why:\n%s", strings.Join(args, " "), out)
		}
	}
}

// setProductionProfile gives the production account of a copy of dev-prod
// the credentials of a shared-config profile.
func setProductionProfile(t *testing.T, dir, profile string) {
	t.Helper()
	mainHCL := filepath.Join(dir, "main.hcl")
	text, err := os.ReadFile(mainHCL)
	if err != nil {
		t.Fatal(err)
	}
	withProfile := strings.Replace(string(text), "  id = var.production_id\n", "  id      = var.production_id\n  profile = \""+profile+"\"\n", 1)
	if withProfile == string(text) {
		t.Fatal("the production account block of dev-prod has changed: update this test")
	}
	if err := os.WriteFile(mainHCL, []byte(withProfile), 0o644); err != nil {
		t.Fatal(err)
	}
}
