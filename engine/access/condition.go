package access

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trustform/trustform/engine/policy"
)

// reqCtx is the request context with keys in lower case: IAM compares
// condition keys without case.
type reqCtx map[string][]string

func (c reqCtx) get(key string) ([]string, bool) {
	v, ok := c[strings.ToLower(key)]
	return v, ok
}

// resolver returns the single value of a key, for policy variables. A key
// with several values cannot stand for one, so it does not resolve.
func (c reqCtx) resolver() policy.Vars {
	return func(key string) (string, bool) {
		v, ok := c.get(key)
		if !ok || len(v) != 1 {
			return "", false
		}
		return v[0], true
	}
}

// operator is a parsed condition operator: an optional set qualifier, the
// base test, and whether IfExists was appended.
type operator struct {
	name      string // as written in the policy
	qualifier string // "", "ForAnyValue" or "ForAllValues"
	base      string // e.g. "StringEquals"
	ifExists  bool
}

// family is what a base operator compares, and whether it is the negated
// form of its positive twin.
type family struct {
	kind    string // string, stringFold, like, arn, numeric, date, bool, ip, binary, null
	cmp     string // for numeric and date: eq, lt, le, gt, ge
	negated bool
	vars    bool // whether policy variables apply to its values
}

var families = map[string]family{
	"StringEquals":              {kind: "string", vars: true},
	"StringNotEquals":           {kind: "string", negated: true, vars: true},
	"StringEqualsIgnoreCase":    {kind: "stringFold", vars: true},
	"StringNotEqualsIgnoreCase": {kind: "stringFold", negated: true, vars: true},
	"StringLike":                {kind: "like", vars: true},
	"StringNotLike":             {kind: "like", negated: true, vars: true},
	"ArnEquals":                 {kind: "arn", vars: true},
	"ArnLike":                   {kind: "arn", vars: true},
	"ArnNotEquals":              {kind: "arn", negated: true, vars: true},
	"ArnNotLike":                {kind: "arn", negated: true, vars: true},
	"NumericEquals":             {kind: "numeric", cmp: "eq"},
	"NumericNotEquals":          {kind: "numeric", cmp: "eq", negated: true},
	"NumericLessThan":           {kind: "numeric", cmp: "lt"},
	"NumericLessThanEquals":     {kind: "numeric", cmp: "le"},
	"NumericGreaterThan":        {kind: "numeric", cmp: "gt"},
	"NumericGreaterThanEquals":  {kind: "numeric", cmp: "ge"},
	"DateEquals":                {kind: "date", cmp: "eq"},
	"DateNotEquals":             {kind: "date", cmp: "eq", negated: true},
	"DateLessThan":              {kind: "date", cmp: "lt"},
	"DateLessThanEquals":        {kind: "date", cmp: "le"},
	"DateGreaterThan":           {kind: "date", cmp: "gt"},
	"DateGreaterThanEquals":     {kind: "date", cmp: "ge"},
	"Bool":                      {kind: "bool", vars: true},
	"BinaryEquals":              {kind: "binary"},
	"IpAddress":                 {kind: "ip"},
	"NotIpAddress":              {kind: "ip", negated: true},
	"Null":                      {kind: "null"},
}

// parseOperator reads "ForAnyValue:StringLikeIfExists" and its kin. IAM
// refuses unknown operators when a policy is saved; here they make the
// condition false, with a caveat.
func parseOperator(name string) (operator, family, bool) {
	op := operator{name: name}
	rest := name
	if q, r, ok := strings.Cut(rest, ":"); ok {
		switch strings.ToLower(q) {
		case "foranyvalue":
			op.qualifier = "ForAnyValue"
		case "forallvalues":
			op.qualifier = "ForAllValues"
		default:
			return op, family{}, false
		}
		rest = r
	}
	if n := len(rest) - len("IfExists"); n > 0 && strings.EqualFold(rest[n:], "IfExists") && !strings.EqualFold(rest[:n], "Null") {
		op.ifExists = true
		rest = rest[:n]
	}
	for k, f := range families {
		if strings.EqualFold(k, rest) {
			op.base = k
			return op, f, true
		}
	}
	return op, family{}, false
}

// condResult is the outcome of one statement's Condition element: whether
// it holds, and if not, the first test that failed, in words.
type condResult struct {
	ok      bool
	failed  string   // e.g. `Bool aws:MultiFactorAuthPresent is "true" (the request has no value)`
	missing []string // keys the conditions read that the request lacks
	unknown []string // operators the evaluator does not know
}

// evalConditions evaluates a Condition element: every operator and every key
// under it must hold (AND); the values under one key are alternatives (OR).
// Operators and keys are visited in sorted order so that the failure
// reported is stable.
func evalConditions(conds map[string]map[string][]string, ctx reqCtx, vars bool) condResult {
	res := condResult{ok: true}
	for _, opName := range sortedKeys(conds) {
		op, fam, known := parseOperator(opName)
		keys := conds[opName]
		for _, key := range sortedKeys(keys) {
			values := keys[key]
			got, present := ctx.get(key)
			if !present || len(got) == 0 {
				res.missing = append(res.missing, key)
			}
			if !known {
				res.unknown = append(res.unknown, opName)
				if res.ok {
					res.ok = false
					res.failed = fmt.Sprintf("%s is not a condition operator the evaluator knows", opName)
				}
				continue
			}
			var r policy.Vars
			if vars && fam.vars {
				r = ctx.resolver()
			}
			if !evalOne(op, fam, values, got, present, r) && res.ok {
				res.ok = false
				res.failed = describeFailure(opName, key, values, got, present)
			}
		}
	}
	return res
}

func describeFailure(op, key string, want, got []string, present bool) string {
	have := "the request has no value"
	if present && len(got) > 0 {
		have = "the request has " + quoteList(got)
	}
	return fmt.Sprintf("%s %s %s (%s)", op, key, quoteList(want), have)
}

func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(v)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// evalOne evaluates one operator on one key, following AWS's documented
// rules for absent keys: a positive test fails, a negated one holds,
// ...IfExists holds, ForAllValues holds on an empty set and ForAnyValue
// fails; Null tests presence itself.
func evalOne(op operator, fam family, want, got []string, present bool, vars policy.Vars) bool {
	empty := !present || len(got) == 0
	if fam.kind == "null" {
		// IAM User Guide, "IAM policy validation check reference",
		// "Suggestion – Null with qualifier": with ForAllValues or
		// ForAnyValue the Null operator "always return[s] a true or false
		// respectively". That is the one statement AWS makes of how they
		// evaluate, and it is followed here (an evaluator validated against
		// the policy simulator reports other answers when the key is
		// present; AWS documents none).
		switch op.qualifier {
		case "ForAllValues":
			return true
		case "ForAnyValue":
			return false
		}
		// Null "true" asks for the key to be absent, "false" for it to be there.
		for _, w := range want {
			if strings.EqualFold(w, "true") == empty {
				return true
			}
		}
		return false
	}
	if empty {
		switch {
		case op.ifExists:
			return true
		case op.qualifier == "ForAllValues":
			return true
		case op.qualifier == "ForAnyValue":
			return false
		default:
			return fam.negated
		}
	}
	// single is the test on one request value: for a positive operator, it
	// matches one of the policy's values; for a negated one, it matches none.
	//
	// A request value that is not of the operator's type (a number, date,
	// IP address or ARN that does not parse) matches no test, negated ones
	// included. AWS's pages are silent; the IAM policy simulator rejects
	// such a value (as the evaluators validated against it record), and a
	// negated test that held on anything unparsable would let a malformed
	// value through an Allow's NumericNotEquals or past a Deny's
	// NotIpAddress alike.
	single := func(v string) bool {
		if !ofType(fam, v) {
			return false
		}
		m := slices.ContainsFunc(want, func(w string) bool { return valueMatches(fam, w, v, vars) })
		return m != fam.negated
	}
	switch op.qualifier {
	case "ForAllValues":
		for _, v := range got {
			if !single(v) {
				return false
			}
		}
		return true
	case "ForAnyValue":
		return slices.ContainsFunc(got, single)
	}
	// Without a qualifier a request value list is read as any-of for the
	// positive form, and the negated form is its exact opposite.
	if fam.negated {
		for _, v := range got {
			if !single(v) {
				return false
			}
		}
		return true
	}
	return slices.ContainsFunc(got, single)
}

// ofType reports whether a request value is of the type an operator
// family compares: a number, a date, an IP address or an ARN; any text for
// the string, bool and binary families.
func ofType(fam family, v string) bool {
	switch fam.kind {
	case "numeric":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err == nil && !math.IsNaN(f)
	case "date":
		_, ok := parseDate(v)
		return ok
	case "ip":
		_, err := netip.ParseAddr(strings.TrimSpace(v))
		return err == nil
	case "arn":
		return strings.HasPrefix(v, "arn:") && strings.Count(v, ":") >= 5
	}
	return true
}

// valueMatches is the positive test of one policy value against one
// request value.
func valueMatches(fam family, want, got string, vars policy.Vars) bool {
	switch fam.kind {
	case "string":
		p, ok := policy.LiteralPattern(want, vars)
		return ok && p.Match(got, false)
	case "stringFold":
		p, ok := policy.LiteralPattern(want, vars)
		return ok && p.Match(got, true)
	case "like":
		p, ok := policy.CompilePattern(want, vars)
		return ok && p.Match(got, false)
	case "arn":
		p, ok := policy.CompilePattern(want, vars)
		return ok && p.MatchARN(got)
	case "bool":
		// A Bool value is compared as text, without wildcards: a literal
		// pattern's example is that text, variables resolved.
		p, ok := policy.LiteralPattern(want, vars)
		return ok && strings.EqualFold(p.Example(), got)
	case "binary":
		return want == got
	case "numeric":
		w, err1 := strconv.ParseFloat(strings.TrimSpace(want), 64)
		g, err2 := strconv.ParseFloat(strings.TrimSpace(got), 64)
		if err1 != nil || err2 != nil || math.IsNaN(w) || math.IsNaN(g) {
			return false
		}
		return compare(fam.cmp, cmpFloat(g, w))
	case "date":
		w, ok1 := parseDate(want)
		g, ok2 := parseDate(got)
		if !ok1 || !ok2 {
			return false
		}
		return compare(fam.cmp, g.Compare(w))
	case "ip":
		prefix, ok := parseCIDR(want)
		addr, err := netip.ParseAddr(strings.TrimSpace(got))
		return ok && err == nil && prefix.Contains(addr.Unmap())
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare applies a numeric or date test to the order of the request value
// against the policy value.
func compare(cmp string, order int) bool {
	switch cmp {
	case "eq":
		return order == 0
	case "lt":
		return order < 0
	case "le":
		return order <= 0
	case "gt":
		return order > 0
	case "ge":
		return order >= 0
	}
	return false
}

// dateLayouts are the W3C profiles of ISO 8601 that IAM accepts.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

// parseDate reads an ISO 8601 date or an epoch time in seconds, the two
// forms IAM documents for date conditions.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && !strings.Contains(s, "-") && len(s) != 4 {
		sec, frac := math.Modf(n)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseCIDR reads a policy's IP value: a CIDR block, or a bare address,
// which IAM reads as /32 (or /128 for IPv6).
func parseCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-unmapBits(p.Addr())).Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// unmapBits is the prefix length lost when an IPv4-mapped IPv6 address is
// unmapped to IPv4.
func unmapBits(a netip.Addr) int {
	if a.Is4In6() {
		return 96
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
