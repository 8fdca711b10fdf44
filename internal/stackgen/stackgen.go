package stackgen

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Spec is the shape of a generated stack.
type Spec struct {
	Stack    string // the stack name
	Target   string // "local" or "aws"
	Accounts int    // at least 2
	Roles    int    // per account
	Groups   int    // per account
}

// Objects is how many IAM objects the stack declares, counted as a plan
// counts changes: per account, each role with its policy, attachment and
// inline policy (4), each group with its grant and deny policies (3).
func (s Spec) Objects() int { return s.Accounts * (4*s.Roles + 3*s.Groups) }

// AccountID is the id of the n-th account (from 0).
func AccountID(n int) string { return fmt.Sprintf("10%010d", n+1) }

// AccountFile is the name of the file holding the roles, policies and
// groups of the n-th account (from 0).
func AccountFile(n int) string { return fmt.Sprintf("a%d.hcl", n) }

// Files returns the stack's files by name: main.hcl with the stack and
// account blocks, and a file per account (AccountFile) with what that
// account holds, the way a team lays out a stack of many accounts.
func (s Spec) Files() map[string]string {
	var b strings.Builder
	target := s.Target
	if target == "" {
		target = "local"
	}
	fmt.Fprintf(&b, "stack %q {\n  target = %q\n}\n", s.Stack, target)
	for a := range s.Accounts {
		fmt.Fprintf(&b, "\naccount \"a%d\" {\n  id = %q\n}\n", a, AccountID(a))
	}
	files := map[string]string{"main.hcl": b.String()}
	for a := range s.Accounts {
		b.Reset()
		next := (a + 1) % s.Accounts
		for r := range s.Roles {
			fmt.Fprintf(&b, `
policy "a%[1]d_p%[2]d" {
  account = account.a%[1]d
  name    = "app-%[2]d-access"
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:aws:s3:::bucket-%[1]d-%[2]d/*"]
  }
}

role "a%[1]d_r%[2]d" {
  account = account.a%[1]d
  name    = "App%[2]d"
  trust {
    accounts    = [account.a%[3]d]
    require_mfa = true
  }
  managed_policies = [policy.a%[1]d_p%[2]d]
  inline_policy "logs" {
    statement {
      actions   = ["logs:PutLogEvents"]
      resources = ["arn:aws:logs:*:%[4]s:log-group:app-%[2]d:*"]
    }
  }
  tags = {
    app = "app-%[2]d"
  }
}
`, a, r, next, AccountID(a))
		}
		for g := range s.Groups {
			roles := make([]string, 0, s.Roles)
			for r := range s.Roles {
				roles = append(roles, fmt.Sprintf("role.a%d_r%d", next, r))
			}
			fmt.Fprintf(&b, `
group "a%[1]d_g%[2]d" {
  account = account.a%[1]d
  name    = "Team%[2]d"
}

grant "a%[1]d_g%[2]d" {
  to    = [group.a%[1]d_g%[2]d]
  roles = [%[3]s]
}

deny "a%[1]d_g%[2]d" {
  to    = [group.a%[1]d_g%[2]d]
  roles = [role.a%[4]d_r0]
}
`, a, g, strings.Join(roles, ", "), next)
		}
		files[AccountFile(a)] = b.String()
	}
	return files
}

// Write writes the stack's files (Files) into dir, which must exist.
func (s Spec) Write(dir string) error {
	for name, text := range s.Files() {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}
