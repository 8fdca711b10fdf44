package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// boundedUpdateApp gives UpdateApp a permissions boundary that allows only
// reading the bucket: a new managed policy, named by the role.
func boundedUpdateApp(t *testing.T, dir string) {
	t.Helper()
	prod := filepath.Join(dir, "production.hcl")
	edit(t, prod, `role "update_app" {`, `policy "read_app_bucket" {
  account = account.production
  name    = "read-app-bucket"

  statement {
    actions   = ["s3:ListBucket", "s3:GetObject"]
    resources = ["arn:aws:s3:::${local.bucket}", "arn:aws:s3:::${local.bucket}/*"]
  }
}

role "update_app" {`)
	edit(t, prod, `  managed_policies = [policy.read_write_app_bucket]`, `  managed_policies     = [policy.read_write_app_bucket]
  permissions_boundary = policy.read_app_bucket`)
}

// checkBoundaryNarrows applies the dev-prod stack, then a boundary on
// UpdateApp, and checks that explain's answer for the role's own request
// narrows from allow to an implicit deny naming the boundary, while what the
// boundary allows stays allowed and who may assume the role does not change.
// check, when not nil, looks at the applied boundary with another client.
func checkBoundaryNarrows(t *testing.T, dir string, check func(t *testing.T), flags ...string) {
	t.Helper()
	args := func(cmd ...string) []string { return append(append(cmd, flags...), dir) }
	// The bucket is Production's, as the role's: said in the context, since
	// an S3 ARN names no account.
	put := []string{"explain", "--principal", "role.update_app", "--action", "s3:PutObject", "--resource", "arn:aws:s3:::productionapp/index.html", "--context", "aws:ResourceAccount=999999999999"}
	get := []string{"explain", "--principal", "role.update_app", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::productionapp/index.html", "--context", "aws:ResourceAccount=999999999999"}
	mustRun(t, 0, args("apply", "-auto-approve")...)
	mustRun(t, 0, args(put...)...)

	boundedUpdateApp(t, dir)
	r := mustRun(t, 0, args("plan", "-no-color")...)
	if !strings.Contains(r.stdout, "permissions_boundary") {
		t.Fatalf("the plan does not show the boundary:\n%s", r.stdout)
	}
	mustRun(t, 0, args("apply", "-auto-approve")...)
	if check != nil {
		check(t)
	}
	r = mustRun(t, exitDenied, args(put...)...)
	const missing = `customer managed policy "read-app-bucket" set as the permissions boundary of role "UpdateApp" in 999999999999: no statement allows s3:PutObject`
	if !strings.Contains(r.stdout, missing) {
		t.Errorf("explain of a write outside the boundary does not name the boundary:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "permissions boundaries are not evaluated") {
		t.Errorf("explain still says boundaries are not evaluated:\n%s", r.stdout)
	}
	r = mustRun(t, 0, args(get...)...)
	if !strings.Contains(r.stdout, `set as the permissions boundary of role "UpdateApp" in 999999999999`) {
		t.Errorf("explain of a read inside the boundary does not show the boundary's allow:\n%s", r.stdout)
	}
	// The boundary limits the role's own requests, not who may assume it.
	r = mustRun(t, 0, append([]string{"who-can", "assume", "role.update_app"}, args()...)...)
	if !strings.Contains(r.stdout, "user/David") || strings.Contains(r.stdout, "user/Tess") {
		t.Errorf("who-can changed with the role's boundary:\n%s", r.stdout)
	}
	r = mustRun(t, 0, args("plan", "-detailed-exitcode")...)
	if !strings.Contains(r.stdout, "3 passed, 0 failed.") {
		t.Errorf("the expectations do not all pass with the boundary:\n%s", r.stdout)
	}
}

// TestBoundaryNarrowsExplain is the boundary on the local target.
func TestBoundaryNarrowsExplain(t *testing.T) {
	checkBoundaryNarrows(t, copyExample(t, "dev-prod"), nil)
}

// boundaryByBoto3 reads UpdateApp's boundary with boto3, through the role the
// aws target assumes, from the endpoint moto's environment points at.
const boundaryByBoto3 = `
import boto3
c = boto3.client("sts", region_name="us-east-1").assume_role(
    RoleArn="arn:aws:iam::999999999999:role/OrganizationAccountAccessRole", RoleSessionName="check")["Credentials"]
iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
    aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
print(iam.get_role(RoleName="UpdateApp")["Role"].get("PermissionsBoundary", {}).get("PermissionsBoundaryArn", ""))
`

// TestBoundaryNarrowsExplainOnMoto is the same on the aws target: the
// boundary set by the stack is the one boto3 reads back.
func TestBoundaryNarrowsExplainOnMoto(t *testing.T) {
	if inOwnProcess(t) {
		return
	}
	dir, _ := devProdOnMoto(t)
	checkBoundaryNarrows(t, dir, func(t *testing.T) {
		out, err := exec.Command("python3", "-c", boundaryByBoto3).CombinedOutput()
		if err != nil {
			t.Fatalf("boto3 get_role: %v\n%s", err, out)
		}
		if got, want := strings.TrimSpace(string(out)), "arn:aws:iam::999999999999:policy/read-app-bucket"; got != want {
			t.Errorf("boto3 reads UpdateApp's boundary as %q, want %q", got, want)
		}
	}, strings.Fields(awsFlags)...)
}
