package access

import "github.com/trustform/trustform/engine/policy"

// The evaluator matches actions, resources and condition values with
// engine/policy's IAM wildcard matcher, the one lint and the views use too;
// these are its names here.

// resolver returns the value of a condition key for a policy variable.
type resolver = policy.Vars

// A pattern is compiled policy text (policy.Pattern), kept as elements the
// condition tests read: a Bool value is its literal runes.
type pattern []elem

type elem struct {
	kind byte // 'l' literal rune, '*' any run, '?' one rune
	r    rune
}

func fromPolicy(p policy.Pattern, ok bool) (pattern, bool) {
	out := make(pattern, len(p))
	for i, e := range p {
		out[i] = elem{e.Kind, e.Rune}
	}
	return out, ok
}

func (p pattern) policy() policy.Pattern {
	out := make(policy.Pattern, len(p))
	for i, e := range p {
		out[i] = policy.PatternElem{Kind: e.kind, Rune: e.r}
	}
	return out
}

func compilePattern(text string, vars resolver) (pattern, bool) {
	return fromPolicy(policy.CompilePattern(text, vars))
}

func literalPattern(text string, vars resolver) (pattern, bool) {
	return fromPolicy(policy.LiteralPattern(text, vars))
}

func (p pattern) match(s string, fold bool) bool { return p.policy().Match(s, fold) }

func (p pattern) example() string { return p.policy().Example() }

func actionMatches(pat, action string) bool { return policy.MatchAction(pat, action) }

func resourceMatches(pat, resource string, vars resolver) (matched, resolved bool) {
	return policy.MatchResource(pat, resource, vars)
}

func arnMatches(pat pattern, value string) bool { return pat.policy().MatchARN(value) }
