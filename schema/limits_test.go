package schema_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/trustform/trustform/engine"
	"github.com/trustform/trustform/schema"
)

// nonSpace counts characters as IAM documents its size quotas: every
// character but whitespace. It is deliberately not policy.Size (which
// compacts JSON): the documents below hold no whitespace inside strings, so
// the two must agree, and a test built on its own count catches a Size or a
// message that reports something else.
func nonSpace(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// padded returns template with PAD replaced by as many "a" as make the
// document exactly size characters without whitespace.
func padded(t *testing.T, template string, size int) string {
	t.Helper()
	base := nonSpace(strings.Replace(template, "PAD", "", 1))
	if size < base {
		t.Fatalf("template alone has %d characters, more than %d", base, size)
	}
	return strings.Replace(template, "PAD", strings.Repeat("a", size-base), 1)
}

// Pretty-printed on purpose: the whitespace must not count.
const managedTemplate = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": "arn:aws:s3:::bucket-PAD/*"
    }
  ]
}`

const trustTemplate = `{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "PAD"}}
  }
}`

func heredoc(doc string) string { return "<<EOT\n" + doc + "\nEOT" }

const prodAccount = `
account "production" {
  id = "999999999999"
}
`

func managedPolicyStack(doc string) string {
	return prodAccount + `
policy "big" {
  account  = account.production
  name     = "big"
  document = ` + heredoc(doc) + `
}
`
}

func trustDocumentStack(doc string) string {
	return prodAccount + `
role "r" {
  account        = account.production
  name           = "R"
  trust_document = ` + heredoc(doc) + `
}
`
}

// twoInlineStack gives a role two inline policies; their sizes add up.
func twoInlineStack(a, b string) string {
	return prodAccount + `
role "r" {
  account = account.production
  name    = "R"
  trust {
    accounts = [account.production]
  }
  inline_policy "a" {
    document = ` + heredoc(a) + `
  }
  inline_policy "b" {
    document = ` + heredoc(b) + `
  }
}
`
}

func managedPoliciesStack(n int) string {
	var arns []string
	for i := range n {
		arns = append(arns, fmt.Sprintf("%q", fmt.Sprintf("arn:aws:iam::aws:policy/Policy%02d", i)))
	}
	return prodAccount + `
role "r" {
  account = account.production
  name    = "R"
  trust {
    accounts = [account.production]
  }
  managed_policies = [` + strings.Join(arns, ", ") + `]
}
`
}

var sizeRe = regexp.MustCompile(`(?:has|total) ([0-9,]+) characters`)

// reportedSize is the size a diagnostic reports, read back from its text.
func reportedSize(t *testing.T, d *hcl.Diagnostic) int {
	t.Helper()
	m := sizeRe.FindStringSubmatch(d.Detail)
	if m == nil {
		t.Fatalf("no size in %q", d.Detail)
	}
	n, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestLimits checks each limit on both sides of its boundary, with sizes
// counted independently of the code under test.
func TestLimits(t *testing.T) {
	type want struct {
		summary  string // "" when the stack must load
		size     int    // the size the message must report, 0 to skip
		line     int    // the line the diagnostic points at, 0 to skip
		column   int    // its column, 0 to skip
		contains []string
	}
	tests := []struct {
		name  string
		stack func(t *testing.T) string
		want  want
	}{
		{
			name:  "managed policy at the limit",
			stack: func(t *testing.T) string { return managedPolicyStack(padded(t, managedTemplate, 6144)) },
		},
		{
			name:  "managed policy one over",
			stack: func(t *testing.T) string { return managedPolicyStack(padded(t, managedTemplate, 6145)) },
			want:  want{summary: "Managed policy too large", size: 6145, line: 6, contains: []string{"policy.big", "6,144", "PolicySize"}},
		},
		{
			name:  "trust policy at the limit",
			stack: func(t *testing.T) string { return trustDocumentStack(padded(t, trustTemplate, 2048)) },
		},
		{
			name:  "trust policy one over points at trust_document",
			stack: func(t *testing.T) string { return trustDocumentStack(padded(t, trustTemplate, 2049)) },
			want:  want{summary: "Trust policy too large", size: 2049, line: 9, contains: []string{"role.r", "2,048", "ACLSizePerRole"}},
		},
		{
			name: "role inline policies at the limit together",
			stack: func(t *testing.T) string {
				return twoInlineStack(padded(t, managedTemplate, 5120), padded(t, managedTemplate, 5120))
			},
		},
		{
			name: "role inline policies one over together",
			stack: func(t *testing.T) string {
				return twoInlineStack(padded(t, managedTemplate, 5120), padded(t, managedTemplate, 5121))
			},
			want: want{summary: "Inline policies too large", size: 10241, line: 6,
				contains: []string{"role.r", "10,240", "RolePolicySizeQuota", `inline_policy "b" (5,121)`, `inline_policy "a" (5,120)`}},
		},
		{
			name:  "ten managed policies",
			stack: func(*testing.T) string { return managedPoliciesStack(10) },
		},
		{
			name:  "eleven managed policies",
			stack: func(*testing.T) string { return managedPoliciesStack(11) },
			want:  want{summary: "Too many managed policies", line: 12, contains: []string{"role.r", "has 11 managed policies", "at most 10"}},
		},
		{
			name: "trust within aws-us-gov",
			stack: func(*testing.T) string {
				return `
account "gov" {
  id        = "999999999999"
  partition = "aws-us-gov"
}
account "gov_dev" {
  id        = "111111111111"
  partition = "aws-us-gov"
}
role "r" {
  account = account.gov
  name    = "R"
  trust {
    accounts   = [account.gov_dev]
    principals = ["arn:aws-us-gov:iam::222222222222:role/Deployer"]
  }
}
`
			},
		},
		{
			// A bare account id names no partition: IAM reads it in the
			// role's own.
			name: "bare account id in an aws-cn trust_document",
			stack: func(*testing.T) string {
				return `
account "china" {
  id        = "999999999999"
  partition = "aws-cn"
}
role "r" {
  account        = account.china
  name           = "R"
  trust_document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = "111111111111", Service = "ec2.amazonaws.com.cn" }, Action = "sts:AssumeRole" }]
  })
}
`
			},
		},
		{
			name: "aws principal in an aws-cn trust_document",
			stack: func(*testing.T) string {
				return `
account "china" {
  id        = "999999999999"
  partition = "aws-cn"
}
role "r" {
  account        = account.china
  name           = "R"
  trust_document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = ["arn:aws:iam::111111111111:root"] }, Action = "sts:AssumeRole" }]
  })
}
`
			},
			want: want{summary: "Trust across partitions", line: 9, contains: []string{"role.r", "partition aws-cn", "arn:aws:iam::111111111111:root, of partition aws."}},
		},
		{
			name: "deny across partitions",
			stack: func(*testing.T) string {
				return prodAccount + `
account "china" {
  id        = "222222222222"
  partition = "aws-cn"
}
user "u" {
  account  = account.production
  name     = "U"
  existing = true
}
role "cn" {
  account = account.china
  name    = "R"
  trust {
    accounts = [account.china]
  }
}
deny "u_cn" {
  to    = [user.u]
  roles = ["arn:aws:iam::999999999999:role/Other", role.cn]
}
`
			},
			want: want{summary: "Deny across partitions", line: 24, column: 52, contains: []string{"deny.u_cn denies user.u (partition aws)", "(role.cn)", "this deny would never take effect"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeStack(t, map[string]string{"main.hcl": tt.stack(t)})
			cfg, files, diags := schema.Load(dir, schema.Options{Env: noEnv})
			if tt.want.summary == "" {
				if diags.HasErrors() || cfg == nil {
					t.Fatalf("unexpected diagnostics:\n%s", renderDiags(diags, files))
				}
				return
			}
			if len(diags) != 1 || diags[0].Summary != tt.want.summary {
				t.Fatalf("want one %q diagnostic, got:\n%s", tt.want.summary, renderDiags(diags, files))
			}
			d := diags[0]
			if tt.want.size != 0 {
				if got := reportedSize(t, d); got != tt.want.size {
					t.Errorf("reported size %d, want %d", got, tt.want.size)
				}
			}
			if tt.want.line != 0 && d.Subject.Start.Line != tt.want.line {
				t.Errorf("diagnostic at line %d, want %d", d.Subject.Start.Line, tt.want.line)
			}
			if tt.want.column != 0 && d.Subject.Start.Column != tt.want.column {
				t.Errorf("diagnostic at column %d, want %d (the role.cn element)", d.Subject.Start.Column, tt.want.column)
			}
			for _, s := range tt.want.contains {
				if !strings.Contains(d.Detail, s) {
					t.Errorf("detail does not contain %q:\n%s", s, d.Detail)
				}
			}
		})
	}
}

// TestLimitsDoNotCascade: a stack with other errors gets no limit
// diagnostics, which would be computed on a partial Config.
func TestLimitsDoNotCascade(t *testing.T) {
	stack := managedPolicyStack(padded(t, managedTemplate, 7000)) + `
user "bad" {
  account = account.production
  name    = "no spaces allowed"
}
`
	dir := writeStack(t, map[string]string{"main.hcl": stack})
	_, files, diags := schema.Load(dir, schema.Options{Env: noEnv})
	if len(diags) != 1 || diags[0].Summary != "Invalid user name" {
		t.Fatalf("want only the name error, got:\n%s", renderDiags(diags, files))
	}
}

// TestGroupInlineGoldenSize recomputes, from first principles, the total the
// group_inline_size golden reports: each grant becomes one inline policy
// allowing sts:AssumeRole on its roles, and IAM counts every character of it
// but whitespace. Key order does not change the count.
func TestGroupInlineGoldenSize(t *testing.T) {
	grantDoc := func(roles ...string) string {
		quoted := make([]string, len(roles))
		for i, r := range roles {
			quoted[i] = strconv.Quote("arn:aws:iam::999999999999:role/" + r)
		}
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole"],"Resource":[` +
			strings.Join(quoted, ",") + `]}]}`
	}
	total := 0
	for i := range 40 { // grant.developers_app, one instance per app
		total += nonSpace(grantDoc(fmt.Sprintf("Update-app%02d", i)))
	}
	total += nonSpace(grantDoc("Update-app00", "Update-app01")) // grant.developers_extra

	golden, err := os.ReadFile(filepath.Join("..", "testdata", "invalid", "group_inline_size.golden"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(golden)), " ") // undo the wrapping
	m := regexp.MustCompile(`would total ([0-9,]+) characters`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("golden reports no total:\n%s", golden)
	}
	if got := strings.ReplaceAll(m[1], ",", ""); got != strconv.Itoa(total) {
		t.Errorf("golden reports %s characters, computed %d", m[1], total)
	}
	if total <= 5120 {
		t.Errorf("the case does not exceed the group quota: %d", total)
	}
}

// An account whose quotas were raised (as read from the target) is held to
// its own quotas; the diagnostics of the default ones say which account they
// concern, so the caller knows whose quotas to read.
func TestLimitsUseAccountQuotas(t *testing.T) {
	dir := t.TempDir()
	var arns []string
	for i := range 12 {
		arns = append(arns, fmt.Sprintf("%q", fmt.Sprintf("arn:aws:iam::aws:policy/P%d", i)))
	}
	src := `account "production" {
  id = "999999999999"
}

role "big" {
  account = account.production
  name    = "Big"
  trust {
    accounts = [account.production]
  }
  managed_policies = [` + strings.Join(arns, ", ") + `]
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, diags := schema.Load(dir, schema.Options{Env: []string{}})
	accounts, only := schema.QuotaAccounts(diags)
	if !diags.HasErrors() || !only || len(accounts) != 1 || accounts[0] != "999999999999" {
		t.Fatalf("12 managed policies against the default 10: accounts %v, only quotas %v:\n%v", accounts, only, diags)
	}
	raised := engine.DefaultQuotas()
	raised.AttachedPerRole = 20
	if _, _, diags := schema.Load(dir, schema.Options{Env: []string{}, Quotas: map[string]engine.Quotas{"999999999999": raised}}); diags.HasErrors() {
		t.Fatalf("a raised quota of 20 still refuses 12 policies:\n%v", diags)
	}
}
