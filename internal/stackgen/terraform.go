package stackgen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

// The Terraform twin of a generated stack, for benchmarks that measure
// trustform beside Terraform on the same IAM peer. Applying the twin must
// create exactly the objects trustform's apply of the same Spec creates —
// the same names, paths, documents, trust policies, attachments, tags, group
// paths, policy descriptions and inline policy names — so that both tools do
// the same work, and so that trustform, reading what Terraform made, plans no
// change (TestTerraformTwinAppliesLikeTrustform checks that). The markers by
// which trustform knows what it owns (the role tag, the description marker,
// the group path, the grant and deny inline policy names) come from the
// engine's own functions, so the twin follows them if they change.

// TerraformProviderVersion is the AWS provider version the twin pins: the one
// the benchmark machines hold in their filesystem mirror.
const TerraformProviderVersion = "5.100.0"

// TerraformAssumeRoleName is the role each account's provider assumes, as
// trustform's own aws target does in the benchmarks (--assume-role-name).
const TerraformAssumeRoleName = "OrganizationAccountAccessRole"

// TerraformResources is how many Terraform resources TerraformFiles declares:
// one per IAM object, as Objects counts them (a role is its role, its
// managed policy, the attachment and the inline policy; a group is the group,
// its grant and its deny).
func (s Spec) TerraformResources() int { return s.Accounts * (4*s.Roles + 3*s.Groups) }

// TerraformFiles returns the stack as Terraform configuration, by file name,
// for the AWS provider at endpoint (IAM and STS on one URL, e.g. moto's).
//
// Each account has a provider alias (aws.a0, aws.a1, ...) that assumes
// TerraformAssumeRoleName in it, as trustform does. The base credentials come
// from the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).
//
// References across accounts are plain strings: the trust policy names the
// next account's root ARN, and grants and denies name the next account's
// role ARNs. Referencing the role resources instead would tie every
// account's group policies to another provider's roles, an ordering IAM does
// not need (identity policies may name roles that do not exist yet) and that
// trustform's apply does not have either. Within an account, the attachment
// and the inline policies reference their role, policy and group, so that
// Terraform creates them in order.
func (s Spec) TerraformFiles(endpoint string) map[string]string {
	var b strings.Builder
	fmt.Fprintf(&b, `# The Terraform twin of the trustform stack %q (stackgen): the same IAM objects.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = %s
    }
  }
}
`, s.Stack, hclString(TerraformProviderVersion))
	for a := range s.Accounts {
		// moto needs none of the skip_ settings (it answers
		// GetCallerIdentity), but they keep the provider's calls to those
		// the work needs and its traffic on the endpoint: no credential
		// check or account id look-up (one GetCallerIdentity per alias and
		// run: 4 of the small test's 78 apply calls without them), no probe
		// of the EC2 instance metadata service (an address off this
		// machine, should AWS_EC2_METADATA_DISABLED be unset), and no check
		// of the region against the provider's built-in list.
		fmt.Fprintf(&b, `
provider "aws" {
  alias  = "a%d"
  region = "us-east-1"

  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    iam = %s
    sts = %s
  }

  assume_role {
    role_arn = %s
  }
}
`, a, hclString(endpoint), hclString(endpoint), hclString(model.RoleARN("aws", AccountID(a), "/", TerraformAssumeRoleName)))
	}
	// The tags trustform gives a role: the declared app tag and its owner
	// tag, aligned as terraform fmt aligns them.
	ownerKey := hclString(ownership.OwnerTagKey)
	width := max(len("app"), len(ownerKey))
	tags := func(app string) string {
		return fmt.Sprintf("{\n    %-*s = %s\n    %-*s = %s\n  }", width, "app", hclString(app), width, ownerKey, hclString(s.Stack))
	}
	for a := range s.Accounts {
		next := (a + 1) % s.Accounts
		for r := range s.Roles {
			fmt.Fprintf(&b, `
resource "aws_iam_policy" "a%[1]d_p%[2]d" {
  provider    = aws.a%[1]d
  name        = %[3]s
  path        = "/"
  description = %[4]s
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = [%[5]s]
    }]
  })
}

resource "aws_iam_role" "a%[1]d_r%[2]d" {
  provider             = aws.a%[1]d
  name                 = %[6]s
  path                 = "/"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = ["sts:AssumeRole"]
      Principal = { AWS = [%[7]s] }
      Condition = { Bool = { "aws:MultiFactorAuthPresent" = ["true"] } }
    }]
  })
  tags = %[8]s
}

resource "aws_iam_role_policy_attachment" "a%[1]d_r%[2]d" {
  provider   = aws.a%[1]d
  role       = aws_iam_role.a%[1]d_r%[2]d.name
  policy_arn = aws_iam_policy.a%[1]d_p%[2]d.arn
}

resource "aws_iam_role_policy" "a%[1]d_r%[2]d_logs" {
  provider = aws.a%[1]d
  role     = aws_iam_role.a%[1]d_r%[2]d.name
  name     = "logs"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:PutLogEvents"]
      Resource = [%[9]s]
    }]
  })
}
`, a, r,
				hclString(fmt.Sprintf("app-%d-access", r)),
				hclString(ownership.PolicyDescription("", s.Stack)),
				hclString(fmt.Sprintf("arn:aws:s3:::bucket-%d-%d/*", a, r)),
				hclString(fmt.Sprintf("App%d", r)),
				hclString(model.RootARN("aws", AccountID(next))),
				tags(fmt.Sprintf("app-%d", r)),
				hclString(fmt.Sprintf("arn:aws:logs:*:%s:log-group:app-%d:*", AccountID(a), r)))
		}
		for g := range s.Groups {
			// trustform writes a grant's roles sorted (as strings: App10
			// before App2); the twin does the same, though IAM and both
			// tools compare documents without regard to order.
			roles := make([]string, 0, s.Roles)
			for r := range s.Roles {
				roles = append(roles, roleARN(next, r))
			}
			slices.Sort(roles)
			quoted := make([]string, len(roles))
			for i, arn := range roles {
				quoted[i] = hclString(arn)
			}
			fmt.Fprintf(&b, `
resource "aws_iam_group" "a%[1]d_g%[2]d" {
  provider = aws.a%[1]d
  name     = %[3]s
  path     = %[4]s
}

resource "aws_iam_group_policy" "a%[1]d_g%[2]d_grant" {
  provider = aws.a%[1]d
  group    = aws_iam_group.a%[1]d_g%[2]d.name
  name     = %[5]s
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sts:AssumeRole"]
      Resource = [%[6]s]
    }]
  })
}

resource "aws_iam_group_policy" "a%[1]d_g%[2]d_deny" {
  provider = aws.a%[1]d
  group    = aws_iam_group.a%[1]d_g%[2]d.name
  name     = %[7]s
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Deny"
      Action   = ["sts:AssumeRole"]
      Resource = [%[8]s]
    }]
  })
}
`, a, g,
				hclString(fmt.Sprintf("Team%d", g)),
				hclString(ownership.OwnedGroupPath(s.Stack)),
				hclString(ownership.GrantPolicyName(s.Stack, fmt.Sprintf("grant.a%d_g%d", a, g))),
				strings.Join(quoted, ", "),
				hclString(ownership.GrantPolicyName(s.Stack, fmt.Sprintf("deny.a%d_g%d", a, g))),
				hclString(roleARN(next, 0)))
		}
	}
	return map[string]string{"main.tf": b.String()}
}

// roleARN is the ARN of role r of account n (roles sit at path "/").
func roleARN(n, r int) string {
	return model.RoleARN("aws", AccountID(n), "/", fmt.Sprintf("App%d", r))
}

// WriteTerraformCLIConfig writes, in dir, a Terraform CLI configuration that
// installs the AWS provider from the filesystem mirror at mirror and from
// nowhere else, and returns its path, for TF_CLI_CONFIG_FILE. With an
// explicit provider_installation block that has only a filesystem_mirror,
// Terraform neither consults a registry nor searches its implicit local
// directories: terraform init works without a network, and a provider that
// is not in the mirror fails init instead of being fetched. The version
// check ("checkpoint") is disabled too, as it would call out on every run;
// set CHECKPOINT_DISABLE=1 in the environment as well, which older versions
// and the rest of HashiCorp's tooling honour.
//
// The mirror uses Terraform's unpacked layout:
// <mirror>/<registry host>/hashicorp/aws/<version>/<os>_<arch>/terraform-provider-aws_*.
func WriteTerraformCLIConfig(dir, mirror string) (string, error) {
	abs, err := filepath.Abs(mirror)
	if err != nil {
		return "", err
	}
	text := fmt.Sprintf(`# Written by trustform's stackgen: providers from the local mirror only.
disable_checkpoint = true

provider_installation {
  filesystem_mirror {
    path    = %s
    include = ["hashicorp/aws"]
  }
}
`, hclString(abs))
	path := filepath.Join(dir, "terraform.rc")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// hclString quotes s as an HCL string literal: JSON's escapes are HCL's, and
// "${" and "%{", which HCL would read as a template, are doubled.
func hclString(s string) string {
	b, _ := json.Marshal(s)
	q := strings.ReplaceAll(string(b), "${", "$${")
	return strings.ReplaceAll(q, "%{", "%%{")
}
