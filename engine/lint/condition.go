package lint

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/trustform/trustform/engine/model"
)

// A condition restricts a wildcard principal only if some request fails
// it. IAM's condition operators ("IAM JSON policy elements: Condition
// operators", reference_policies_elements_condition_operators.html):
// StringLike, and ArnLike and ArnEquals alike, match * and ? in each value;
// values are ORed, so one value that matches everything makes the whole test
// true; a Not operator is true for every other value and whenever the key is
// absent; ...IfExists is true when the key is absent; ForAllValues is true
// when the request has no values for the key. AWS's "AWS global condition
// context keys" (reference_policies_condition-keys.html, "Sensitive
// condition keys") adds that account and organization keys have no valid
// use for a wildcard, not even in part of a value. A policy variable
// (${aws:PrincipalAccount}) compares the key with a value of the same
// request, which lint cannot know, and can make the test true for anyone.

// sensitiveKeys are the keys whose values must be exact: any wildcard in
// them matches accounts or organizations nobody listed.
var sensitiveKeys = []string{
	"aws:principalaccount", "aws:principalorgid", "aws:sourceaccount", "aws:sourceorgid",
	"aws:resourceaccount", "aws:resourceorgid", "aws:vpceaccount", "aws:vpceorgid",
}

// arnKeys hold ARNs, whose account field must be exact to name someone.
var arnKeys = []string{"aws:principalarn", "aws:sourcearn"}

var policyVar = regexp.MustCompile(`\$\{[^}]*\}`)

// openTest says why the test op key values restricts no one, or "" if it
// restricts (lint cannot tell more).
func openTest(op, key string, values []string) string {
	lop := strings.ToLower(op)
	lkey := strings.ToLower(key)
	switch {
	case strings.Contains(lop, "not"):
		return fmt.Sprintf("%s is true for every value but those listed, and whenever the key is absent", op)
	case lop == "null":
		return "Null tests only whether the key is present"
	case strings.HasSuffix(lop, "ifexists"):
		return fmt.Sprintf("%s is true for every request without the key", op)
	case strings.HasPrefix(lop, "forallvalues:"):
		return fmt.Sprintf("%s is true for every request without values for the key", op)
	}
	base := strings.TrimPrefix(lop, "foranyvalue:")
	wild := base == "stringlike" || base == "arnlike" || base == "arnequals"
	for _, v := range values {
		hasVar := policyVar.MatchString(v)
		if hasVar {
			return fmt.Sprintf("the value %q holds a policy variable, which the request itself sets", v)
		}
		if !wild {
			if (lkey == "aws:sourceip" || lkey == "aws:vpcsourceip") && (v == "0.0.0.0/0" || v == "::/0") {
				return fmt.Sprintf("the value %q is every address", v)
			}
			continue
		}
		switch {
		case strings.Trim(v, "*") == "":
			return fmt.Sprintf("the value %q matches every value", v)
		case slices.Contains(sensitiveKeys, lkey) && strings.ContainsAny(v, "*?"):
			return fmt.Sprintf("the value %q has a wildcard, which matches accounts or organizations nobody listed", v)
		case slices.Contains(arnKeys, lkey) && strings.ContainsAny(v, "*?"):
			if a, err := model.ParseARN(v); err != nil || strings.ContainsAny(a.Account, "*?") || a.Account == "" {
				return fmt.Sprintf("the value %q matches principals of any account", v)
			}
		case lkey == "aws:principalorgpaths" || lkey == "aws:sourceorgpaths":
			if org, _, _ := strings.Cut(v, "/"); strings.ContainsAny(org, "*?") {
				return fmt.Sprintf("the value %q matches every organization", v)
			}
		}
	}
	return ""
}

// restriction reports whether some test on a restricting key narrows who
// can match, and if none does, why each test on such a key does not.
func restriction(conds map[string]map[string][]string) (bool, []string) {
	var why []string
	for _, op := range sortedKeys(conds) {
		keys := conds[op]
		for _, key := range sortedKeys(keys) {
			if !slices.Contains(restrictingKeys, strings.ToLower(key)) {
				continue
			}
			reason := openTest(op, key, keys[key])
			if reason == "" {
				return true, nil
			}
			why = append(why, fmt.Sprintf("%s %s %s restricts no one: %s", op, key, quoteAll(keys[key]), reason))
		}
	}
	return false, why
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}

// globalKeys are AWS's global condition keys ("AWS global condition context
// keys", reference_policies_condition-keys.html), lower case; the tag keys
// take a tag name after the slash.
var globalKeys = []string{
	"aws:principalarn", "aws:principalaccount", "aws:principalorgpaths", "aws:principalorgid",
	"aws:principalisawsservice", "aws:principalservicename", "aws:principalservicenameslist", "aws:principaltype",
	"aws:userid", "aws:username", "aws:assumedroot", "aws:federatedprovider", "aws:tokenissuetime",
	"aws:multifactorauthage", "aws:multifactorauthpresent", "aws:chatbotsourcearn", "aws:ec2instancesourcevpc",
	"aws:ec2instancesourceprivateipv4", "aws:sourceidentity", "aws:sourceip", "aws:sourcevpc", "aws:sourcevpcarn",
	"aws:sourcevpce", "aws:vpcsourceip", "aws:vpceaccount", "aws:vpceorgid", "aws:vpceorgpaths",
	"aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths", "aws:calledvia", "aws:calledviafirst",
	"aws:calledvialast", "aws:viaawsservice", "aws:currenttime", "aws:epochtime", "aws:referer",
	"aws:requestedregion", "aws:tagkeys", "aws:securetransport", "aws:sourcearn", "aws:sourceaccount",
	"aws:sourceorgpaths", "aws:sourceorgid", "aws:sourceowner", "aws:useragent",
}

var globalTagKeys = []string{"aws:principaltag/", "aws:requesttag/", "aws:resourcetag/"}

// keyProblem says what is wrong with a condition key that can never match,
// with the key it was probably meant to be, or "" if nothing is.
func keyProblem(key string) string {
	lkey := strings.ToLower(key)
	for i, r := range key {
		if r >= utf8.RuneSelf {
			ascii := asciiFold(key)
			msg := fmt.Sprintf("condition key %q holds the character %U at byte %d, which is not ASCII: no request carries such a key, so the test never matches", key, r, i)
			if ascii != key && (known(strings.ToLower(ascii)) || !strings.HasPrefix(strings.ToLower(ascii), "aws:")) {
				msg += fmt.Sprintf(" (did you mean %q?)", ascii)
			}
			return msg
		}
	}
	if !strings.HasPrefix(lkey, "aws:") || known(lkey) {
		return ""
	}
	msg := fmt.Sprintf("condition key %q is not one of AWS's global condition keys: no request carries it, so the test never matches", key)
	if near := nearest(lkey); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	return msg
}

func known(lkey string) bool {
	if slices.Contains(globalKeys, lkey) {
		return true
	}
	for _, p := range globalTagKeys {
		if strings.HasPrefix(lkey, p) && len(lkey) > len(p) {
			return true
		}
	}
	return false
}

// homoglyphs maps the letters most often mistaken for ASCII (Cyrillic and
// Greek) to the ASCII letter they look like.
var homoglyphs = map[rune]rune{
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's',
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'Х': 'X',
	'ο': 'o', 'α': 'a', 'ι': 'i', 'Ι': 'I', 'Ο': 'O', 'Α': 'A', 'Ρ': 'P', 'Τ': 'T',
	'\u200b': -1, '\u200c': -1, '\u200d': -1, '\ufeff': -1,
}

func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range s {
		if a, ok := homoglyphs[r]; ok {
			if a >= 0 {
				b.WriteRune(a)
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nearest is the global key closest to lkey by edit distance, if close.
func nearest(lkey string) string {
	best, bestD := "", 4
	for _, k := range globalKeys {
		if d := editDistance(lkey, k); d < bestD {
			best, bestD = k, d
		}
	}
	return canonicalKey(best)
}

// canonicalKey spells a global key as AWS's documentation does.
func canonicalKey(lkey string) string {
	for _, k := range canonicalKeys {
		if strings.ToLower(k) == lkey {
			return k
		}
	}
	return lkey
}

var canonicalKeys = []string{
	"aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgPaths", "aws:PrincipalOrgID",
	"aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalType",
	"aws:userid", "aws:username", "aws:AssumedRoot", "aws:FederatedProvider", "aws:TokenIssueTime",
	"aws:MultiFactorAuthAge", "aws:MultiFactorAuthPresent", "aws:ChatbotSourceArn", "aws:Ec2InstanceSourceVpc",
	"aws:Ec2InstanceSourcePrivateIPv4", "aws:SourceIdentity", "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpcArn",
	"aws:SourceVpce", "aws:VpcSourceIp", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths",
	"aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:CalledVia", "aws:CalledViaFirst",
	"aws:CalledViaLast", "aws:ViaAWSService", "aws:CurrentTime", "aws:EpochTime", "aws:referer",
	"aws:RequestedRegion", "aws:TagKeys", "aws:SecureTransport", "aws:SourceArn", "aws:SourceAccount",
	"aws:SourceOrgPaths", "aws:SourceOrgID", "aws:SourceOwner", "aws:UserAgent",
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
