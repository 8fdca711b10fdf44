package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v3"

	"github.com/trustform/trustform/cmd/trustform/views"
)

// conditionsStack is the test stack with MFA, an ExternalId, a path, a
// service principal and roles of one name in two accounts.
var conditionsStack = filepath.Join("..", "..", "testdata", "graphs", "conditions")

// runCommand runs one command the way run does for the registered ones: a
// root command with the app's settings, and the same exit codes. The
// commands under test are not in newApp yet, so the test registers them.
func runCommand(t *testing.T, mk func(*cliEnv) *cli.Command, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cliEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	root := &cli.Command{
		Name: "trustform", Writer: &out, ErrWriter: &errb,
		DisableSliceFlagSeparator: true, HideHelpCommand: true,
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
		Commands:       []*cli.Command{mk(env)},
	}
	err := root.Run(context.Background(), append([]string{"trustform"}, args...))
	code := 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
			if !ee.silent && ee.err != nil {
				fmt.Fprintf(&errb, "Error: %v\n", ee.err)
			}
		} else {
			fmt.Fprintf(&errb, "Error: %v\n", err)
		}
	}
	return result{code, out.String(), errb.String()}
}

func mustRunCommand(t *testing.T, mk func(*cliEnv) *cli.Command, want int, args ...string) result {
	t.Helper()
	r := runCommand(t, mk, args...)
	if r.code != want {
		t.Fatalf("trustform %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return r
}

func accessKitJSON(t *testing.T, dir string) views.AccessKit {
	t.Helper()
	r := mustRunCommand(t, accessKitCommand, 0, "access", "-json", dir)
	var kit views.AccessKit
	if err := json.Unmarshal([]byte(r.stdout), &kit); err != nil {
		t.Fatalf("access -json is not the documented JSON: %v\n%s", err, r.stdout)
	}
	return kit
}

func TestAccessKitDevProd(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	const (
		arn = "arn:aws:iam::999999999999:role/UpdateApp"
		url = "https://signin.aws.amazon.com/switchrole?account=999999999999&roleName=UpdateApp&displayName=UpdateApp%20%40%20production"
		cmd = "aws sts assume-role --role-arn arn:aws:iam::999999999999:role/UpdateApp --role-session-name devprod-UpdateApp --duration-seconds 3600"
	)
	text := mustRunCommand(t, accessKitCommand, 0, "access", dir).stdout
	for _, want := range []string{
		"role.update_app: role UpdateApp in production (999999999999)",
		"ARN         " + arn,
		"Trusted     account development (111111111111)",
		"Granted to  group Developers in development (111111111111), members David (grant.developers_update_app)",
		"Denied to   group Testers in development (111111111111), members Tess (deny.testers_update_app)",
		"Console     " + url,
		"AWS CLI     " + cmd,
		"[profile devprod-UpdateApp]\nrole_arn = " + arn + "\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("access output lacks %q:\n%s", want, text)
		}
	}

	kit := accessKitJSON(t, dir)
	if len(kit.Roles) != 1 {
		t.Fatalf("roles: %+v, want UpdateApp only", kit.Roles)
	}
	r := kit.Roles[0]
	if r.ARN != arn || r.SwitchRoleURL == nil || *r.SwitchRoleURL != url || r.AssumeRole == nil || r.AssumeRole.Shell != cmd {
		t.Fatalf("kit of UpdateApp: arn %s, url %v, command %+v", r.ARN, r.SwitchRoleURL, r.AssumeRole)
	}
	if r.RequireMFA || r.ExternalID != nil {
		t.Errorf("UpdateApp's trust asks for nothing, the kit says MFA %v, ExternalId %v", r.RequireMFA, r.ExternalID)
	}
	if len(r.Granted) != 1 || r.Granted[0].Name != "Developers" || len(r.Denied) != 1 || r.Denied[0].Name != "Testers" {
		t.Errorf("granted %+v, denied %+v; want Developers and Testers", r.Granted, r.Denied)
	}
	if kit.AWSConfig != r.Profile.Text {
		t.Errorf("aws_config is not the one profile:\n%s\n---\n%s", kit.AWSConfig, r.Profile.Text)
	}
}

// The JSON keys are the documented interface: a renamed field must be a
// deliberate change, so the test lists them.
func TestAccessKitJSONKeys(t *testing.T) {
	r := mustRunCommand(t, accessKitCommand, 0, "access", "--json", conditionsStack)
	var raw struct {
		Stack     string           `json:"stack"`
		Roles     []map[string]any `json:"roles"`
		AWSConfig string           `json:"aws_config"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatal(err)
	}
	want := []string{"account", "address", "arn", "assume_role", "denied", "external_id", "granted", "max_session_duration",
		"name", "notes", "path", "profile", "require_mfa", "switch_role_url", "trust"}
	for _, role := range raw.Roles {
		if strings.Join(sortedKeys(role), ",") != strings.Join(want, ",") {
			t.Fatalf("%v: keys %v, want %v", role["address"], sortedKeys(role), want)
		}
	}
}

func TestAccessKitConditions(t *testing.T) {
	kit := accessKitJSON(t, conditionsStack)
	byAddress := map[string]views.KitRole{}
	for _, r := range kit.Roles {
		byAddress[r.Address] = r
	}
	for _, tc := range []struct {
		name, address string
		arn           string
		mfa           bool
		externalID    string // "" for none
		url           string // "" when the console cannot switch
		profile       string // "" when there is none
		command       []string
		note          string // a note the kit must give
	}{
		{
			name: "MFA through a trusted account", address: "role.breakglass",
			arn: "arn:aws:iam::333333333333:role/BreakGlass", mfa: true,
			url:     "https://signin.aws.amazon.com/switchrole?account=333333333333&roleName=BreakGlass&displayName=BreakGlass%20%40%20security",
			profile: "conditions-BreakGlass",
			command: []string{"--serial-number", "arn:aws:iam::222222222222:mfa/<user>", "--token-code", "<mfa-code>"},
			note:    "signed in with MFA",
		},
		{
			name: "MFA from a deny without MFA in a trust_document", address: "role.legacy",
			arn: "arn:aws:iam::333333333333:role/Legacy", mfa: true,
			url:     "https://signin.aws.amazon.com/switchrole?account=333333333333&roleName=Legacy&displayName=Legacy%20%40%20security",
			profile: "conditions-Legacy",
			command: []string{"--serial-number", "arn:aws:iam::222222222222:mfa/<user>"},
		},
		{
			name: "ExternalId and a path: no console link", address: "role.vendor",
			arn: "arn:aws:iam::333333333333:role/third-party/VendorRead", externalID: "vendor-2024",
			profile: "conditions-VendorRead",
			command: []string{"--external-id", "vendor-2024", "--duration-seconds", "7200"},
			note:    "cannot switch to a role that requires an ExternalId",
		},
		{
			name: "one role name in two accounts", address: `role.audit["b"]`,
			arn: "arn:aws:iam::555555555555:role/Audit", mfa: true,
			url:     "https://signin.aws.amazon.com/switchrole?account=555555555555&roleName=Audit&displayName=Audit%20%40%20member%5B%22b%22%5D",
			profile: "conditions-Audit-555555555555",
			command: []string{"--role-arn", "arn:aws:iam::555555555555:role/Audit"},
		},
		{
			name: "trusted by a service only", address: "role.ci",
			arn:  "arn:aws:iam::222222222222:role/CI",
			note: "names no AWS principal",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := byAddress[tc.address]
			if !ok {
				t.Fatalf("no kit for %s", tc.address)
			}
			if r.ARN != tc.arn || r.RequireMFA != tc.mfa {
				t.Errorf("arn %s, MFA %v; want %s, %v", r.ARN, r.RequireMFA, tc.arn, tc.mfa)
			}
			if got := deref(r.ExternalID); got != tc.externalID {
				t.Errorf("external id %q, want %q", got, tc.externalID)
			}
			if got := deref(r.SwitchRoleURL); got != tc.url {
				t.Errorf("switch-role URL\n  %s\nwant\n  %s", got, tc.url)
			}
			if (r.Profile == nil) != (tc.profile == "") || (r.Profile != nil && r.Profile.Name != tc.profile) {
				t.Errorf("profile %+v, want %q", r.Profile, tc.profile)
			}
			if len(tc.command) > 0 && (r.AssumeRole == nil || !strings.Contains(strings.Join(r.AssumeRole.Args, " "), strings.Join(tc.command, " "))) {
				t.Errorf("command %+v lacks %q", r.AssumeRole, tc.command)
			}
			if tc.profile == "" && r.AssumeRole != nil {
				t.Errorf("a command for a role no person can assume: %+v", r.AssumeRole)
			}
			if tc.note != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tc.note) {
				t.Errorf("notes %q lack %q", r.Notes, tc.note)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The shell form of the command must survive a POSIX shell: placeholders
// such as <user> are quoted, not redirections.
func TestAccessKitCommandIsOneShellCommand(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	var roles []views.KitRole
	for _, dir := range []string{conditionsStack, awkwardDir(t)} {
		roles = append(roles, accessKitJSON(t, dir).Roles...)
	}
	for _, r := range roles {
		if r.AssumeRole == nil {
			continue
		}
		// printf prints each argument on a line: the shell must split the
		// text into exactly the JSON's arguments.
		out, err := exec.Command(sh, "-c", "printf '%s\\n' "+strings.TrimPrefix(r.AssumeRole.Shell, "aws ")).Output()
		if err != nil {
			t.Fatalf("%s: %v", r.AssumeRole.Shell, err)
		}
		if got, want := strings.TrimSuffix(string(out), "\n"), strings.Join(r.AssumeRole.Args[1:], "\n"); got != want {
			t.Errorf("%s: the shell reads\n%s\nwant\n%s", r.Address, got, want)
		}
	}
}

// requireTool skips a test whose tool is missing, except in CI, where the
// check must run.
func requireTool(t *testing.T, what, install string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is required in CI: %s", what, install)
	}
	t.Skipf("%s not available (%s); skipping", what, install)
}

// profileCheck reads an AWS config file as botocore does (configparser's
// RawConfigParser, "profile NAME" sections) and prints its profiles as JSON.
// With botocore importable it is botocore's own reading; without, the same
// configparser reading botocore uses.
const profileCheck = `
import configparser, json, os, sys
path = os.environ["AWS_CONFIG_FILE"]
cp = configparser.RawConfigParser()  # raises on a duplicate section or option
with open(path) as f:
    cp.read_file(f)
parsed = {s[len("profile "):]: dict(cp.items(s)) for s in cp.sections() if s.startswith("profile ")}
if sys.argv[1] == "botocore":
    import botocore.session
    parsed = botocore.session.Session().full_config["profiles"]
print(json.dumps(parsed, sort_keys=True))
`

func TestAccessKitProfilesParseAsAWSConfig(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		requireTool(t, "python3", "apt-get install -y python3")
	}
	reader := "botocore"
	if exec.Command(python, "-c", "import botocore.session").Run() != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("botocore is required in CI: pip install botocore")
		}
		t.Log("botocore is not importable: checking with configparser, as botocore reads the file")
		reader = "configparser"
	}
	for _, tc := range []struct {
		name string
		dir  string
	}{
		{"dev-prod", copyExample(t, "dev-prod")},
		{"conditions", conditionsStack},
		{"awkward", awkwardDir(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kit := accessKitJSON(t, tc.dir)
			path := filepath.Join(t.TempDir(), "config")
			if err := os.WriteFile(path, []byte(kit.AWSConfig), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(python, "-c", profileCheck, reader)
			// Only the file under test: no credentials file, no profile
			// from the environment.
			cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE="+path, "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(t.TempDir(), "none"), "AWS_PROFILE=", "AWS_DEFAULT_PROFILE=")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s could not read the profiles: %v\n%s\n--- config\n%s", reader, err, out, kit.AWSConfig)
			}
			var got map[string]map[string]string
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			want := map[string]map[string]string{}
			for _, r := range kit.Roles {
				if r.Profile == nil {
					continue
				}
				p := map[string]string{"role_arn": r.ARN, "source_profile": "<source-profile>", "duration_seconds": fmt.Sprint(r.MaxSessionDuration)}
				if r.RequireMFA {
					p["mfa_serial"] = r.AssumeRole.Args[indexOf(r.AssumeRole.Args, "--serial-number")+1]
				}
				if r.ExternalID != nil {
					p["external_id"] = *r.ExternalID
				}
				want[r.Profile.Name] = p
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Fatalf("%s reads\n%s\nwant\n%s\n--- config\n%s", reader, gotJSON, wantJSON, kit.AWSConfig)
			}
		})
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func TestAccessKitInvalidStackExitsOne(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.hcl"), []byte("role \"x\" {\n"), 0o644)
	r := runCommand(t, accessKitCommand, "access", dir)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "main.hcl") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}
