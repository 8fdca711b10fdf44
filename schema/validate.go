package schema

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trustform/trustform/engine/ownership"

	"github.com/hashicorp/hcl/v2"
)

// IAM's own rules, checked here so that a mistake is reported against the
// line that made it rather than as an API error halfway through an apply.
var (
	accountIDRe   = regexp.MustCompile(`^[0-9]{12}$`)
	iamNameRe     = regexp.MustCompile(`^[\w+=,.@-]+$`)
	iamPathRe     = regexp.MustCompile(`^/([\x21-\x7E]+/)?$`)
	externalIDRe  = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // and 2 to 1224 long: Go's regexp caps repeat counts at 1000
	sessionNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	// SidPattern, RoleARNPattern and PrincipalARNPattern are what the
	// language accepts as a Sid, a role ARN and a trust principal ARN;
	// exported so that code writing the language (hclgen) agrees with it.
	SidPattern = regexp.MustCompile(`^[A-Za-z0-9]*$`)
	tagRe      = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

	RoleARNPattern      = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:role/([\x21-\x7E]*/)?[\w+=,.@-]{1,64}$`)
	policyARNRe         = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}|aws):policy/([\x21-\x7E]*/)?[\w+=,.@-]{1,128}$`)
	PrincipalARNPattern = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):(iam::[0-9]{12}:(root|role/.+|user/.+)|sts::[0-9]{12}:(assumed-role|federated-user)/.+)$`)
)

var partitions = []string{"aws", "aws-cn", "aws-us-gov"}

// nameLimit is the longest name IAM allows per kind.
var nameLimit = map[string]int{"role": 64, "user": 64, "group": 128, "policy": 128, "inline_policy": 128}

func (s *scope) checkName(kind, name string, rng hcl.Range) bool {
	max := nameLimit[kind]
	if n := utf8.RuneCountInString(name); n == 0 || n > max || !iamNameRe.MatchString(name) {
		s.errorf(rng, "Invalid "+strings.ReplaceAll(kind, "_", " ")+" name",
			"%q is not a valid IAM %s name: it must be 1 to %d characters of letters, digits and + = , . @ _ -.",
			name, strings.ReplaceAll(kind, "_", " "), max)
		return false
	}
	if owner := ownership.InlineOwner(name); kind == "inline_policy" && owner != "" && owner != s.l.stackName {
		s.errorf(rng, "Reserved inline policy name",
			"%q starts with %q, the prefix of the grants and denies of trustform stack %q: that stack would take the policy for its own. Choose a name that does not start with \"trustform.\".",
			name, ownership.InlinePrefix(owner), owner)
		return false
	}
	return true
}

func (s *scope) checkPath(path string, rng hcl.Range) bool {
	if len(path) > 512 || !iamPathRe.MatchString(path) {
		s.errorf(rng, "Invalid IAM path",
			`%q is not a valid IAM path: it must be "/" or start and end with "/" (such as "/platform/"), use printable ASCII without spaces, and be at most 512 characters.`, path)
		return false
	}
	return true
}

// tags reads a tags argument and checks it against IAM's limits and the key
// the engine reserves for ownership.
func (s *scope) tags(d *decoded) (map[string]string, status) {
	tags, st := s.strMap(d, "tags")
	if st != valid {
		return nil, st
	}
	rng := d.attrs["tags"].Expr.Range()
	// IAM allows 50 tags on a role or user; trustform keeps two of them for
	// its ownership tag and its record of what it applied (trustform:applied).
	if len(tags) > 48 {
		s.errorf(rng, "Too many tags", "IAM allows at most 50 tags on an object, and trustform keeps 2 of them (its ownership tag and its record of what it applied); this one has %d. Remove some.", len(tags))
		st = failed
	}
	seen := map[string]string{}
	ranges := s.keyRanges(d.attrs["tags"].Expr)
	for _, k := range sortedKeys(tags) {
		v := tags[k]
		lk := strings.ToLower(k)
		rng, vrng := rng, rng
		if r, ok := ranges[k]; ok {
			rng, vrng = r[0], r[1]
		}
		switch {
		case k == "" || utf8.RuneCountInString(k) > 128:
			s.errorf(rng, "Invalid tag key", "The tag key %q must be 1 to 128 characters long; this one has %d.", short(k), utf8.RuneCountInString(k))
		case strings.HasPrefix(lk, "aws:"):
			s.errorf(rng, "Invalid tag key", `The tag key %q starts with "aws:", which AWS reserves for its own tags. Choose another key.`, k)
		case lk == strings.ToLower(ownership.OwnerTagKey):
			s.errorf(rng, "Reserved tag key",
				"The tag key %q is how trustform records which stack owns an object; it adds this tag itself. Remove it from tags.", k)
		case strings.HasPrefix(lk, strings.ToLower(ownership.AppliedTagKey)):
			s.errorf(rng, "Reserved tag key",
				"The tag key %q is how trustform records what it applied to a role or user, to tell changes made outside the stack from changes to it; it writes this tag itself. Remove it from tags.", k)
		case !tagRe.MatchString(k):
			s.errorf(rng, "Invalid tag key", "The tag key %q has characters IAM does not allow in tags: use letters, digits, spaces and _ . : / = + - @.", k)
		case seen[lk] != "":
			s.errorf(rng, "Duplicate tag key", "The tag keys %q and %q differ only in case; IAM treats them as the same key. Keep one.", seen[lk], k)
		case utf8.RuneCountInString(v) > 256:
			s.errorf(vrng, "Invalid tag value", "The value of tag %q has %d characters; IAM allows at most 256. Shorten it.", short(k), utf8.RuneCountInString(v))
		case !tagRe.MatchString(v):
			s.errorf(vrng, "Invalid tag value", "The value of tag %q has characters IAM does not allow in tags: use letters, digits, spaces and _ . : / = + - @.", k)
		default:
			seen[lk] = k
			continue
		}
		st = failed
	}
	return tags, st
}

// description reads a role's description, which IAM also limits to the
// characters of its pattern [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*:
// no right-to-left override (U+202E), no emoji.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (Description)
func (s *scope) description(d *decoded) string {
	desc := s.descriptionWithin(d, 1000, "")
	for _, r := range desc {
		if !(r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7e) || (r >= 0xa1 && r <= 0xff)) {
			s.errorf(d.attrs["description"].Expr.Range(), "Invalid description",
				"The description holds the character %U %s; IAM accepts only tab, line feed, carriage return, printable ASCII and the Latin-1 characters U+00A1 to U+00FF in a role description. Remove it.",
				r, strconv.QuoteRuneToASCII(r))
			break
		}
	}
	return desc
}

// descriptionWithin checks a description against IAM's 1000 characters less
// what trustform appends (the ownership marker of managed policies).
func (s *scope) descriptionWithin(d *decoded, limit int, why string) string {
	desc, st := s.str(d, "description")
	if st == valid && utf8.RuneCountInString(desc) > limit {
		s.errorf(d.attrs["description"].Expr.Range(), "Description too long",
			"IAM allows descriptions of at most 1000 characters%s; this one has %d, over the %d available. Shorten it.", why, utf8.RuneCountInString(desc), limit)
	}
	return desc
}

// checkDuplicates reports what IAM would refuse across blocks: two objects of
// one kind with the same name in one account (compared without case, as IAM
// does), and two account blocks for one account id.
func (l *loader) checkDuplicates() {
	type key struct{ kind, account, name string }
	seen := map[key]*instance{}
	accounts := map[string]*instance{}
	for _, b := range l.blocks {
		for _, in := range b.instances {
			if !in.ok || in.info == nil {
				continue
			}
			info := in.info
			if info.kind == "account" {
				if first := accounts[info.accountID]; first != nil {
					l.errorf(in.nameRng, "Duplicate account id",
						"%s and %s (at %s) both declare the account %s. Declare each account once and refer to that block.",
						first.addr, in.addr, posString(first.info.def), info.accountID)
					continue
				}
				accounts[info.accountID] = in
				continue
			}
			k := key{info.kind, info.accountID, strings.ToLower(info.name)}
			if first := seen[k]; first != nil {
				l.errorf(in.nameRng, "Duplicate "+info.kind+" name",
					"%s has the name %q, which %s (at %s) already uses in account %s; IAM compares %s names without regard to case. Give one of them another name.",
					in.addr, info.name, first.addr, posString(first.info.def), info.accountID, info.kind)
				continue
			}
			seen[k] = in
		}
	}
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// validExternalID is IAM's rule for sts:ExternalId.
func validExternalID(id string) bool {
	return len(id) >= 2 && len(id) <= 1224 && externalIDRe.MatchString(id)
}

// short abbreviates a long value quoted in a message; the snippet shows the
// expression, and the message only needs to identify it.
func short(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:37]) + "..."
	}
	return s
}
