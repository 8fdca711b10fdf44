package local

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/policy"
)

// IAM's quotas that the simulation enforces, at their default values: a
// stack that fits them fits every account, including one where nobody raised
// a quota.
const (
	maxRoleNameLen      = 64
	maxUserNameLen      = 64
	maxGroupNameLen     = 128
	maxPolicyNameLen    = 128
	maxPathLen          = 512
	maxDescriptionLen   = 1000
	maxTags             = 50
	maxTagKeyLen        = 128
	maxTagValueLen      = 256
	maxTrustPolicySize  = 2048  // ACLSizePerRole
	maxManagedSize      = 6144  // PolicySize
	maxRoleInlineSize   = 10240 // RolePolicySizeQuota, all inline policies of a role
	maxUserInlineSize   = 2048  // UserPolicySizeQuota
	maxGroupInlineSize  = 5120  // GroupPolicySizeQuota
	maxAttachedPolicies = 10    // PoliciesPerRole, PoliciesPerUser, PoliciesPerGroup
	maxGroupsPerUser    = 10    // GroupsPerUser
	maxPolicyVersions   = 5
	minSessionDuration  = model.MinMaxSessionDuration
	maxSessionDuration  = model.MaxMaxSessionDuration
)

var (
	// nameRe is IAM's pattern for role, user, group, policy and inline policy
	// names; only the lengths differ.
	nameRe = regexp.MustCompile(`^[\w+=,.@-]+$`)
	// tagRe is IAM's pattern for tag keys and values.
	tagRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	// sidRe: IAM accepts only ASCII letters and digits in a Sid.
	sidRe = regexp.MustCompile(`^[A-Za-z0-9]*$`)
)

func validateName(op, field, name string, maxLen int) error {
	n := utf8.RuneCountInString(name)
	switch {
	case n < 1:
		return apiErr(op, CodeValidationError, "the value at '%s' must have length greater than or equal to 1", field)
	case n > maxLen:
		return apiErr(op, CodeValidationError, "the value '%s' at '%s' must have length less than or equal to %d", name, field, maxLen)
	case !nameRe.MatchString(name):
		return apiErr(op, CodeValidationError, "the value '%s' at '%s' must match the pattern [\\w+=,.@-]+", name, field)
	}
	return nil
}

// validatePath checks an IAM path: "/" or "/a/b/", printable ASCII without
// spaces, at most 512 characters.
func validatePath(op, path string) error {
	bad := len(path) > maxPathLen || !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/")
	for _, r := range path {
		if r < 0x21 || r > 0x7e {
			bad = true
		}
	}
	if bad {
		return apiErr(op, CodeValidationError,
			"the value '%s' at 'path' must be \"/\" or start and end with \"/\", use printable ASCII characters without spaces, and be at most %d long",
			path, maxPathLen)
	}
	return nil
}

// validateRoleDescription checks a role description: up to 1000 characters of
// tab, newline, printable ASCII and Latin-1.
func validateRoleDescription(op, d string) error {
	if utf8.RuneCountInString(d) > maxDescriptionLen {
		return apiErr(op, CodeValidationError, "the value at 'description' must have length less than or equal to %d", maxDescriptionLen)
	}
	for _, r := range d {
		if !(r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7e) || (r >= 0xa1 && r <= 0xff)) {
			return apiErr(op, CodeValidationError, "the value at 'description' contains the character %q, which IAM does not accept in a role description", r)
		}
	}
	return nil
}

func validatePolicyDescription(op, d string) error {
	if utf8.RuneCountInString(d) > maxDescriptionLen {
		return apiErr(op, CodeValidationError, "the value at 'description' must have length less than or equal to %d", maxDescriptionLen)
	}
	return nil
}

func validateMaxSession(op string, seconds int) error {
	if seconds < minSessionDuration || seconds > maxSessionDuration {
		return apiErr(op, CodeValidationError, "the value '%d' at 'maxSessionDuration' must be between %d and %d seconds",
			seconds, minSessionDuration, maxSessionDuration)
	}
	return nil
}

// validateTags checks a complete tag set as it would be after a create or a
// TagX call.
func validateTags(op string, tags map[string]string) error {
	seen := map[string]string{}
	for k, v := range tags {
		switch {
		case utf8.RuneCountInString(k) < 1 || utf8.RuneCountInString(k) > maxTagKeyLen:
			return apiErr(op, CodeValidationError, "tag key %q must be 1 to %d characters long", k, maxTagKeyLen)
		case utf8.RuneCountInString(v) > maxTagValueLen:
			return apiErr(op, CodeValidationError, "the value of tag %q must be at most %d characters long", k, maxTagValueLen)
		case !tagRe.MatchString(k) || !tagRe.MatchString(v):
			return apiErr(op, CodeValidationError, "tag %q=%q may only use letters, digits, spaces and _ . : / = + - @", k, v)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return apiErr(op, CodeInvalidInput, "tag key %q uses the prefix \"aws:\", which is reserved for AWS", k)
		}
		// Tag keys are case-insensitive in IAM: "Team" and "team" collide.
		if other, dup := seen[strings.ToLower(k)]; dup {
			return apiErr(op, CodeInvalidInput, "duplicate tag keys %q and %q: IAM tag keys are case-insensitive", other, k)
		}
		seen[strings.ToLower(k)] = k
	}
	if len(tags) > maxTags {
		return apiErr(op, CodeLimitExceeded, "%d tags: an IAM resource can have at most %d", len(tags), maxTags)
	}
	return nil
}

// parseDocument is the grammar shared by identity and trust policies. IAM's
// write APIs take JSON text of the PolicyDocument pattern's characters
// ([\u0009\u000A\u000D\u0020-\u00FF]+), without duplicate keys; the
// percent-encoded form is only what its read APIs return.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html (PolicyDocument)
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func parseDocument(op, text string) (policy.Document, error) {
	doc, err := policy.ParseStrict(text)
	if err != nil {
		return doc, apiErr(op, CodeMalformedPolicyDocument, "Syntax errors in policy: %v", err)
	}
	if len(doc.Statements) == 0 {
		return doc, apiErr(op, CodeMalformedPolicyDocument, "Syntax errors in policy: the policy has no statements")
	}
	sids := map[string]bool{}
	for _, s := range doc.Statements {
		if !sidRe.MatchString(s.Sid) {
			return doc, apiErr(op, CodeMalformedPolicyDocument, "Statement IDs (Sid) may only contain ASCII letters and digits, not %q", s.Sid)
		}
		if s.Sid != "" && sids[s.Sid] {
			return doc, apiErr(op, CodeMalformedPolicyDocument, "Statement IDs (Sid) must be unique within a policy; %q is repeated", s.Sid)
		}
		sids[s.Sid] = true
		if s.Principals != nil && s.NotPrincipals != nil {
			return doc, apiErr(op, CodeMalformedPolicyDocument, "Syntax errors in policy: Principal and NotPrincipal cannot both be given")
		}
	}
	return doc, nil
}

// validateIdentityDocument checks a managed or inline policy: IAM grammar,
// no principals, resources on every statement, service-prefixed actions and
// ARN-shaped resources.
func validateIdentityDocument(op, text string) error {
	doc, err := parseDocument(op, text)
	if err != nil {
		return err
	}
	for _, s := range doc.Statements {
		if s.Principals != nil || s.NotPrincipals != nil {
			return apiErr(op, CodeMalformedPolicyDocument, "Policy document should not specify a principal.")
		}
		if s.Resources == nil && s.NotResources == nil {
			return apiErr(op, CodeMalformedPolicyDocument, "Policy statement must contain resources.")
		}
		if err := checkActions(op, s.Actions, s.NotActions); err != nil {
			return err
		}
		for _, r := range append(append([]string{}, s.Resources...), s.NotResources...) {
			if !validResource(r) {
				return apiErr(op, CodeMalformedPolicyDocument, "Resource %s must be in ARN format or \"*\".", r)
			}
		}
	}
	return nil
}

func checkActions(op string, lists ...[]string) error {
	for _, list := range lists {
		if list != nil && len(list) == 0 {
			return apiErr(op, CodeMalformedPolicyDocument, "Syntax errors in policy: an Action or NotAction list is empty")
		}
		for _, a := range list {
			if !validAction(a) {
				return apiErr(op, CodeMalformedPolicyDocument, "Action %q must be \"*\" or start with a service prefix, as in \"s3:GetObject\"", a)
			}
		}
	}
	return nil
}

// validAction and validResource are the rules schema checks at load time
// (engine/policy's Check), so that what validates applies here.
func validAction(a string) bool { return policy.ValidAction(a) }

// validResource accepts "*" and anything shaped like an ARN
// (arn:partition:service:region:account:resource, wildcards allowed).
func validResource(r string) bool { return policy.ValidResource(r) }

// validateTrustShape checks what can be checked of a trust policy without
// looking at other accounts: grammar, a Principal on every statement, STS
// actions only, no Resource, and the form of every principal value.
func validateTrustShape(op, text, partition string) (policy.Document, error) {
	doc, err := parseDocument(op, text)
	if err != nil {
		return doc, err
	}
	for _, s := range doc.Statements {
		if s.Resources != nil || s.NotResources != nil {
			return doc, apiErr(op, CodeMalformedPolicyDocument, "Has prohibited field Resource: a trust policy names no resources, the role is the resource")
		}
		if s.Principals == nil {
			// NotPrincipal alone included: IAM refuses it in a trust policy.
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
			return doc, apiErr(op, CodeMalformedPolicyDocument, "Missing required field Principal: every statement of a trust policy names who it applies to")
		}
		if err := checkActions(op, s.Actions, s.NotActions); err != nil {
			return doc, err
		}
		for _, a := range append(append([]string{}, s.Actions...), s.NotActions...) {
			if a != "*" && !strings.EqualFold(strings.SplitN(a, ":", 2)[0], "sts") {
				return doc, apiErr(op, CodeMalformedPolicyDocument, "a trust policy may only name STS actions such as sts:AssumeRole, not %q", a)
			}
		}
		for typ, vals := range s.Principals {
			if typ == "*" {
				continue
			}
			if len(vals) == 0 {
				return doc, invalidPrincipal(op, typ, "")
			}
			for _, v := range vals {
				if !validPrincipalValue(typ, v, partition) {
					return doc, invalidPrincipal(op, typ, v)
				}
			}
		}
	}
	return doc, nil
}

func invalidPrincipal(op, typ, value string) error {
	return apiErr(op, CodeMalformedPolicyDocument, "Invalid principal in policy: %q:%q", typ, value)
}

func validPrincipalValue(typ, v, partition string) bool {
	if v == "" || strings.ContainsAny(v, " \t\n") {
		return false
	}
	switch typ {
	case "AWS":
		if v == "*" || policy.IsAccountID(v) {
			return true
		}
		_, ok := parsePrincipalARN(v, partition)
		return ok
	case "Service":
		// Service principals are DNS names such as ec2.amazonaws.com.
		return strings.Contains(v, ".") && !strings.Contains(v, "*") && !strings.HasPrefix(v, "arn:")
	case "Federated":
		if strings.HasPrefix(v, "arn:") {
			p, err := model.ParsePrincipal(v)
			return err == nil && p.Partition == partition && policy.IsAccountID(p.Account) &&
				(p.Kind == model.PrincipalSAMLProvider || p.Kind == model.PrincipalOIDCProvider)
		}
		return strings.Contains(v, ".") && !strings.Contains(v, "*")
	}
	// CanonicalUser and anything else cannot be trusted by an IAM role.
	return false
}

// parsePrincipalARN accepts the ARNs IAM accepts as an AWS principal in a
// trust policy: an account root, a user or role (with path), an assumed-role
// session or a federated user — all in the account's own partition, with a
// 12-digit account and no wildcards.
func parsePrincipalARN(v, partition string) (model.Principal, bool) {
	p, err := model.ParsePrincipal(v)
	if err != nil || p.Partition != partition || !policy.IsAccountID(p.Account) || strings.Contains(v, "*") {
		return model.Principal{}, false
	}
	switch p.Kind {
	case model.PrincipalRoot, model.PrincipalAssumedRole, model.PrincipalFederatedUser:
		return p, true
	case model.PrincipalUser, model.PrincipalRole:
		return p, nameRe.MatchString(p.Name) && validatePath("", p.Path) == nil
	}
	return p, false
}

// validateAccountID guards every entry point: IAM account IDs are 12 digits,
// and an account the simulation cannot name would be one AWS cannot reach.
func validateAccountID(id string) error {
	if !policy.IsAccountID(id) {
		return fmt.Errorf("local target: account ID %q is not 12 digits", id)
	}
	return nil
}

func checkSize(op, what string, text string, limit int, quota string) error {
	if n := policy.Size(text); n > limit {
		return apiErr(op, CodeLimitExceeded, "%s is %d characters without whitespace; the %s quota is %d", what, n, quota, limit)
	}
	return nil
}
