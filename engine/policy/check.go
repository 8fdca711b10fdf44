package policy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// Kind is what a document is for: IAM's grammar differs between the
// policies of users, groups and roles and the trust policy of a role.
type Kind int

const (
	// Identity is a managed or inline policy, attached to users, groups or
	// roles.
	Identity Kind = iota
	// Trust is a role's trust policy (AssumeRolePolicyDocument).
	Trust
)

// Rule names what a Problem breaks, so that callers can word it their way.
type Rule int

const (
	NoStatements   Rule = iota + 1 // "Statement": [] or null
	BadSid                         // a Sid of other than ASCII letters and digits
	DuplicateSid                   // two statements with one Sid
	NoResource                     // an identity statement without Resource or NotResource
	BadAction                      // an action without a service prefix
	BadResource                    // a resource that is neither "*" nor an ARN
	NoPrincipal                    // a trust statement without Principal (NotPrincipal alone included)
	BadPrincipal                   // a principal IAM refuses in a trust policy
	TrustResource                  // Resource or NotResource in a trust policy
	TrustNonSTS                    // an action of another service than STS in a trust policy
	EmptyActionSet                 // "Action": []
)

// Problem is one thing in a document that IAM refuses. Statement is the
// statement's 1-based position, 0 for the document as a whole; Detail says
// what is wrong and what to write instead.
type Problem struct {
	Rule      Rule
	Statement int
	Value     string
	Detail    string
}

func (p Problem) Error() string {
	if p.Statement == 0 {
		return p.Detail
	}
	return fmt.Sprintf("statement %d: %s", p.Statement, p.Detail)
}

var (
	// sidRe: "The Sid element supports ASCII uppercase letters (A-Z),
	// lowercase letters (a-z), and numbers (0-9)", and "In IAM, the Sid
	// value must be unique within a JSON policy."
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
	sidRe = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	// vendorRe is a service prefix ("s3", "execute-api"): the grammar's
	// <action_string> is "*" or <service>:<action>.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
	vendorRe = regexp.MustCompile(`^[A-Za-z0-9-]+$`)
)

// ValidSid reports whether IAM accepts s as a Sid.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
func ValidSid(s string) bool { return sidRe.MatchString(s) }

// ValidAction reports whether a is "*" or service:action, as the grammar's
// <action_string> requires ("GetObject" without "s3:" is refused).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func ValidAction(a string) bool {
	if a == "*" {
		return true
	}
	vendor, name, ok := strings.Cut(a, ":")
	return ok && vendorRe.MatchString(vendor) && name != "" && !strings.ContainsAny(name, " \t\r\n:")
}

// ValidResource reports whether r is "*" or shaped like an ARN,
// arn:partition:service:region:account-id:resource (region and account may
// be empty, wildcards and policy variables are allowed): the grammar's
// <resource_string>.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func ValidResource(r string) bool {
	if r == "*" {
		return true
	}
	a, err := model.ParseARN(r)
	return err == nil && a.Partition != "" && a.Service != "" && a.Resource != ""
}

// Check reports what IAM refuses in a document of the given kind, beyond
// what Parse already refuses: every problem, in statement order.
// The rules are those of the IAM JSON policy grammar and element reference:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
func (d Document) Check(kind Kind) []Problem {
	var out []Problem
	add := func(rule Rule, i int, value, format string, args ...any) {
		out = append(out, Problem{Rule: rule, Statement: i, Value: value, Detail: fmt.Sprintf(format, args...)})
	}
	if len(d.Statements) == 0 {
		// The grammar's <statement_block> holds one statement or more.
		add(NoStatements, 0, "", `the policy has no statements ("Statement": [] or null); IAM refuses an empty policy. Give at least one statement, or remove the policy`)
	}
	sids := map[string]int{}
	for n, s := range d.Statements {
		i := n + 1
		if !ValidSid(s.Sid) {
			add(BadSid, i, s.Sid, "the Sid %q may only hold ASCII letters and digits (A-Z, a-z, 0-9); write it as, for example, %q", s.Sid, sidSuggestion(s.Sid))
		}
		if s.Sid != "" {
			if first, dup := sids[s.Sid]; dup {
				add(DuplicateSid, i, s.Sid, "the Sid %q is also the Sid of statement %d; IAM requires each Sid to be unique within a policy. Rename one, or remove the Sid", s.Sid, first)
			} else {
				sids[s.Sid] = i
			}
		}
		if s.Actions != nil && len(s.Actions) == 0 || s.NotActions != nil && len(s.NotActions) == 0 {
			add(EmptyActionSet, i, "", "Action (or NotAction) is an empty list; give at least one action, or remove the statement")
		}
		for _, list := range [][]string{s.Actions, s.NotActions} {
			for _, a := range list {
				if !ValidAction(a) {
					add(BadAction, i, a, `the action %q has no service prefix: write service:Action, such as "s3:GetObject" or "s3:*", or "*"`, a)
				}
			}
		}
		switch kind {
		case Identity:
			// "Statements must include either a Resource or a
			// NotResource element" in an identity-based policy.
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
			if s.Resources == nil && s.NotResources == nil {
				add(NoResource, i, "", `the statement has no Resource (or NotResource); a policy for users, groups or roles must say what it applies to, such as "Resource": "arn:aws:s3:::example/*" or "Resource": "*"`)
			}
			for _, list := range [][]string{s.Resources, s.NotResources} {
				for _, r := range list {
					if !ValidResource(r) {
						add(BadResource, i, r, `the resource %q is neither "*" nor an ARN (arn:partition:service:region:account:resource, such as "arn:aws:s3:::example/*")`, r)
					}
				}
			}
		case Trust:
			// A trust policy names who may assume the role in
			// Principal; IAM does not accept NotPrincipal alone there.
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
			if s.Principals == nil {
				what := "no Principal"
				if s.NotPrincipals != nil {
					what = "NotPrincipal but no Principal"
				}
				add(NoPrincipal, i, "", "the statement has %s; every statement of a trust policy must name in Principal who may assume the role (IAM refuses NotPrincipal in a trust policy). Write \"Principal\": {\"AWS\": \"arn:aws:iam::111111111111:root\"} or similar", what)
			}
			if s.Resources != nil || s.NotResources != nil {
				add(TrustResource, i, "", "a trust policy names no Resource (or NotResource): the role itself is the resource. Remove Resource")
			}
			for _, list := range [][]string{s.Actions, s.NotActions} {
				for _, a := range list {
					if ValidAction(a) && a != "*" && !strings.EqualFold(strings.SplitN(a, ":", 2)[0], "sts") {
						add(TrustNonSTS, i, a, `a trust policy may only name STS actions such as "sts:AssumeRole", "sts:TagSession" or "sts:AssumeRoleWithWebIdentity", not %q`, a)
					}
				}
			}
			for _, m := range []map[string][]string{s.Principals, s.NotPrincipals} {
				for _, typ := range []string{"AWS", "Service", "Federated", "CanonicalUser"} {
					vals, ok := m[typ]
					if !ok {
						continue
					}
					if len(vals) == 0 {
						add(BadPrincipal, i, "", "the principal type %s has an empty list; give at least one principal", typ)
					}
					for _, v := range vals {
						if why := principalProblem(typ, v); why != "" {
							add(BadPrincipal, i, v, "the %s principal %q %s", typ, v, why)
						}
					}
				}
			}
		}
	}
	return out
}

// principalProblem says why IAM refuses v as a principal of type typ in a
// trust policy, or "". "You cannot use a wildcard to match part of a
// principal name or ARN": arn:aws:iam::*:root is refused, "*" alone is not.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func principalProblem(typ, v string) string {
	if v == "" || strings.ContainsAny(v, " \t\r\n") {
		return "is empty or holds white space"
	}
	switch typ {
	case "AWS":
		if v == "*" || IsAccountID(v) {
			return ""
		}
		if !strings.HasPrefix(v, "arn:") {
			return `is neither "*", a 12-digit account id nor an ARN`
		}
		if strings.ContainsAny(v, "*?") {
			return `has a wildcard: IAM does not match part of a principal ARN. Name the account ("arn:aws:iam::111111111111:root") or the role or user exactly, or use "*" with a condition such as aws:PrincipalOrgID`
		}
		if _, ok := readAWSPrincipal(v); !ok {
			return "is not a principal ARN: write arn:PARTITION:iam::ACCOUNT:root, :role/NAME or :user/NAME, with a 12-digit account"
		}
	case "Service":
		if !strings.Contains(v, ".") || strings.Contains(v, "*") || strings.HasPrefix(v, "arn:") {
			return `is not a service principal: give its host name, such as "ec2.amazonaws.com"`
		}
	case "Federated":
		if strings.Contains(v, "*") {
			return "has a wildcard: IAM does not match part of a federated principal"
		}
		if strings.HasPrefix(v, "arn:") {
			p, err := model.ParsePrincipal(v)
			if err != nil || !IsAccountID(p.Account) || (p.Kind != model.PrincipalSAMLProvider && p.Kind != model.PrincipalOIDCProvider) {
				return "is not an identity provider ARN (arn:PARTITION:iam::ACCOUNT:saml-provider/NAME or oidc-provider/HOST)"
			}
		} else if !strings.Contains(v, ".") {
			return `is not an identity provider: give its ARN or a host name such as "cognito-identity.amazonaws.com"`
		}
	case "CanonicalUser":
		return "cannot be trusted by an IAM role: CanonicalUser is for Amazon S3 bucket policies"
	}
	return ""
}

// sidSuggestion is s with what IAM refuses removed, for messages.
func sidSuggestion(s string) string {
	var b strings.Builder
	up := false
	for _, r := range s {
		switch {
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'):
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		default:
			up = b.Len() > 0
		}
	}
	if b.Len() == 0 {
		return "Statement1"
	}
	return b.String()
}
