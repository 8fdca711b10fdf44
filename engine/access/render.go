package access

import (
	"slices"
	"strconv"
	"strings"
)

// Conditions in words. An Assumer's Conditions say what its request must
// meet, in the words of the policies that decided it: each test of the
// Condition blocks of the statements that allowed the request (the trust
// policy's, and the caller's own where they had to allow), with its operator
// and every value as written, variables and wildcards included; and each
// conditional Deny that applied to the request but whose conditions it did
// not meet, as "unless" and the deny's tests. The example context the
// search found is Assumer.Context; it is never what is shown, since an
// example value ("repo:my-org/app:") tells a reviewer less than the policy
// ("repo:my-org/app:*" or "*").
//
// The form of one test is
//
//	<operator> <key> "<value>"
//	<operator> <key> in ["<value>", "<value>", ...]
//
// (the values under one key are alternatives: "IAM JSON policy elements:
// Condition", "Creating a condition with multiple keys or values"), after
// "with" for an allow's test and "unless" for a deny's, several tests of one
// deny joined by "and" in parentheses (every test of a Condition element must
// hold for the deny to apply). Four friendlier forms are kept where they are
// exactly the test: "with MFA" for Bool aws:MultiFactorAuthPresent "true"
// in an allow, and for BoolIfExists aws:MultiFactorAuthPresent "false" in a
// deny (the form "AWS global condition context keys",
// aws:MultiFactorAuthPresent, recommends: it denies every request not
// authenticated with MFA); `with ExternalId "x"` for StringEquals
// sts:ExternalId "x"; "if its account is 222222222222" for StringEquals
// aws:PrincipalAccount; and `if its account is in organization "o-..."` for
// StringEquals aws:PrincipalOrgID, each with one value.
//
// Tests on keys that describe the principal (for a user or role of the
// state its ARN, account, tags, user name; for an outsider what who it is
// fixes) are facts about it, not asks of its request: they are left out,
// and a deny that such a test turns off for the principal is left out too.

// basis is what an allowed request rested on.
type basis struct {
	ctx   reqCtx                // the context evaluated
	fixed func(key string) bool // keys that describe the principal
	// sides are the policies that each had to allow (the trust policy, the
	// caller's identity-based policies), each with the statements that did.
	sides   [][]condBlock
	avoided []condBlock // conditional denies that applied but did not hold
}

// condBlock is one statement's Condition element.
type condBlock struct {
	conds map[string]map[string][]string
	vars  bool // language version 2012-10-17: policy variables resolve
}

// test is one operator on one key.
type test struct {
	opName string // as written
	op     operator
	known  bool
	key    string // as written
	values []string
}

func (t test) String() string {
	if len(t.values) == 1 {
		return t.opName + " " + t.key + " " + strconv.Quote(t.values[0])
	}
	q := make([]string, len(t.values))
	for i, v := range t.values {
		q[i] = strconv.Quote(v)
	}
	return t.opName + " " + t.key + " in [" + strings.Join(q, ", ") + "]"
}

// plain reports whether the test is the base operator alone, without a set
// qualifier or IfExists, with one value.
func (t test) plain(base string) bool {
	return t.known && t.op.base == base && t.op.qualifier == "" && !t.op.ifExists && len(t.values) == 1
}

// tests are the block's tests, sorted by operator and key; those on keys
// for which skip is true are left out.
func (blk condBlock) tests(skip func(string) bool) []test {
	var out []test
	for _, opName := range sortedKeys(blk.conds) {
		op, _, known := parseOperator(opName)
		for _, key := range sortedKeys(blk.conds[opName]) {
			if skip != nil && skip(key) {
				continue
			}
			out = append(out, test{opName: opName, op: op, known: known, key: key, values: blk.conds[opName][key]})
		}
	}
	return out
}

// describe says the basis in words (see above); nil when the request needed
// nothing.
func (b *basis) describe() []string {
	if b == nil {
		return nil
	}
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	fixed := b.fixed
	if fixed == nil {
		fixed = func(string) bool { return false }
	}
	for _, side := range b.sides {
		// One allowing statement is enough: if any allowed with no test
		// on the request, the side asks nothing; else the first says what.
		var first []test
		none := len(side) == 0
		for i, blk := range side {
			ts := blk.tests(fixed)
			if len(ts) == 0 {
				none = true
				break
			}
			if i == 0 {
				first = ts
			}
		}
		if none {
			continue
		}
		for _, t := range first {
			add(allowWords(t))
		}
	}
	for _, blk := range b.avoided {
		if b.offByPrincipal(blk, fixed) {
			continue
		}
		if w := DenyWords(filterConds(blk.conds, fixed)); w != "" {
			add(w)
		}
	}
	return out
}

// filterConds is a Condition element without the tests on keys for which
// skip is true.
func filterConds(conds map[string]map[string][]string, skip func(string) bool) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for op, keys := range conds {
		for k, v := range keys {
			if skip(k) {
				continue
			}
			if out[op] == nil {
				out[op] = map[string][]string{}
			}
			out[op][k] = v
		}
	}
	return out
}

// offByPrincipal reports whether a test of a deny on a key that describes
// the principal is false for it: the deny then never applies to it,
// whatever its request carries.
func (b *basis) offByPrincipal(blk condBlock, fixed func(string) bool) bool {
	for _, t := range blk.tests(func(k string) bool { return !fixed(k) }) {
		one := map[string]map[string][]string{t.opName: {t.key: t.values}}
		if !evalConditions(one, b.ctx, blk.vars).ok {
			return true
		}
	}
	return false
}

// allowWords is one test of an allow in words.
func allowWords(t test) string {
	k := strings.ToLower(t.key)
	switch {
	case k == "aws:multifactorauthpresent" && t.plain("Bool") && strings.EqualFold(t.values[0], "true"):
		return "with MFA"
	case k == "sts:externalid" && t.plain("StringEquals"):
		return "with ExternalId " + strconv.Quote(t.values[0])
	case k == "aws:principalaccount" && t.plain("StringEquals"):
		return "if its account is " + t.values[0]
	case k == "aws:principalorgid" && t.plain("StringEquals"):
		return "if its account is in organization " + strconv.Quote(t.values[0])
	}
	return "with " + t.String()
}

// denyWithoutMFA recognises a deny's BoolIfExists aws:MultiFactorAuthPresent
// "false", which only a request authenticated with MFA escapes.
func denyWithoutMFA(t test) bool {
	return t.known && t.op.base == "Bool" && t.op.qualifier == "" && t.op.ifExists && len(t.values) == 1 &&
		strings.EqualFold(t.key, "aws:MultiFactorAuthPresent") && strings.EqualFold(t.values[0], "false")
}

// ConditionWords says an Allow statement's Condition element in the words
// of Assumer.Conditions: one entry per test, sorted by operator and key,
// each with its operator and every value as written ("with StringLike
// token.actions.githubusercontent.com:sub in [\"repo:my-org/app:*\", \"*\"]"),
// or in a friendlier form where that is exactly the test ("with MFA",
// `with ExternalId "x"`). Views that read policies from the configuration
// use it, so that they say conditions as the evaluator does.
func ConditionWords(conds map[string]map[string][]string) []string {
	var out []string
	for _, t := range (condBlock{conds: conds}).tests(nil) {
		out = append(out, allowWords(t))
	}
	return out
}

// DenyWords says what a request must avoid to escape a conditional Deny
// statement, in the words of Assumer.Conditions: "unless" and its test, or
// its tests joined by "and" in parentheses; "with MFA" for the
// BoolIfExists aws:MultiFactorAuthPresent "false" that only MFA escapes.
// It is "" for a Deny without conditions, which nothing escapes.
func DenyWords(conds map[string]map[string][]string) string {
	ts := (condBlock{conds: conds}).tests(nil)
	switch {
	case len(ts) == 0:
		return ""
	case len(ts) == 1 && denyWithoutMFA(ts[0]):
		return "with MFA"
	case len(ts) == 1:
		return "unless " + ts[0].String()
	}
	words := make([]string, len(ts))
	for i, t := range ts {
		words[i] = t.String()
	}
	return "unless (" + strings.Join(words, " and ") + ")"
}
