package policy

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// IAM's wildcard matching of actions, resources and condition values, in
// one place: the evaluator decides with it, and lint and the views ask
// their questions of policies ("does this statement cover sts:AssumeRole?")
// with the same answers. "*" matches any run of characters (":" and "/"
// included), "?" exactly one; actions compare without case, resources with.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html

// A Pattern is compiled policy text. Text that came from a policy variable
// is literal even when it holds "*" or "?", which is why patterns are
// compiled rather than matched as text.
type Pattern []PatternElem

// PatternElem is one element of a pattern: a literal rune, "*" or "?".
type PatternElem struct {
	Kind byte // 'l' literal rune, '*' any run, '?' one rune
	Rune rune
}

// Vars returns the value of a condition key for a policy variable.
type Vars func(key string) (string, bool)

// MatchAction reports whether a policy's Action value covers an action. IAM
// compares actions without case, and "*" or "?" may appear anywhere
// ("s3:Get*", "iam:*AccessKey*", "*").
func MatchAction(pattern, action string) bool {
	p, _ := CompilePattern(pattern, nil)
	return p.Match(action, true)
}

// MatchResource reports whether a policy's Resource value covers a
// resource. Resources compare with case; variables are resolved with vars
// (nil: the text is read without variables). resolved is false when a
// variable has no value: AWS then treats the element as not matching.
func MatchResource(pattern, resource string, vars Vars) (matched, resolved bool) {
	p, ok := CompilePattern(pattern, vars)
	if !ok {
		return false, false
	}
	return p.Match(resource, false), true
}

// CompilePattern turns policy text into a pattern. With vars set (policy
// language 2012-10-17), ${key} is replaced by the key's value from the
// request, ${*}, ${?} and ${$} by the literal character, and ${key, 'x'} by
// x when the key is absent. ok is false when a variable has no value.
func CompilePattern(text string, vars Vars) (p Pattern, ok bool) {
	for i := 0; i < len(text); {
		if vars != nil && strings.HasPrefix(text[i:], "${") {
			end := strings.IndexByte(text[i:], '}')
			if end > 0 {
				val, found := resolveVariable(text[i+2:i+end], vars)
				if !found {
					return nil, false
				}
				for _, r := range val {
					p = append(p, PatternElem{'l', r})
				}
				i += end + 1
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '*':
			p = append(p, PatternElem{Kind: '*'})
		case '?':
			p = append(p, PatternElem{Kind: '?'})
		default:
			p = append(p, PatternElem{'l', r})
		}
		i += size
	}
	return p, true
}

// LiteralPattern compiles text with no wildcards (StringEquals, ArnEquals
// values keep their wildcards; IgnoreCase and Equals do not).
func LiteralPattern(text string, vars Vars) (Pattern, bool) {
	p, ok := CompilePattern(text, vars)
	for i := range p {
		switch p[i].Kind {
		case '*':
			p[i] = PatternElem{'l', '*'}
		case '?':
			p[i] = PatternElem{'l', '?'}
		}
	}
	return p, ok
}

// resolveVariable reads the inside of ${...}.
func resolveVariable(inner string, vars Vars) (string, bool) {
	name, def, hasDefault := strings.Cut(inner, ",")
	name = strings.TrimSpace(name)
	switch name {
	case "*", "?", "$":
		return name, true
	}
	if v, ok := vars(name); ok {
		return v, true
	}
	if hasDefault {
		def = strings.TrimSpace(def)
		if len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
			return def[1 : len(def)-1], true
		}
	}
	return "", false
}

// Match reports whether s matches the pattern. fold compares letters
// without case (actions); resources and condition values compare with case.
func (p Pattern) Match(s string, fold bool) bool {
	text := []rune(s)
	pi, ti := 0, 0
	starP, starT := -1, 0
	for ti < len(text) {
		if pi < len(p) {
			e := p[pi]
			switch {
			case e.Kind == '*':
				starP, starT = pi, ti
				pi++
				continue
			case e.Kind == '?' || runeEq(e.Rune, text[ti], fold):
				pi++
				ti++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		// Backtrack: let the last star swallow one more character.
		starT++
		pi, ti = starP+1, starT
	}
	for pi < len(p) && p[pi].Kind == '*' {
		pi++
	}
	return pi == len(p)
}

func runeEq(a, b rune, fold bool) bool {
	if a == b {
		return true
	}
	return fold && strings.EqualFold(string(a), string(b))
}

// MatchARN is ArnLike: each of the six colon-separated parts is matched on
// its own, so a "*" in the region cannot swallow the account. A pattern
// with fewer parts (such as "*") is matched as a whole, as StringLike would.
// The value is split as ArnLike splits it, at its first five colons, whether
// or not it begins with "arn".
func (p Pattern) MatchARN(value string) bool {
	vparts := strings.SplitN(value, ":", 6)
	pparts := p.split(6)
	if len(pparts) < 6 {
		return p.Match(value, false)
	}
	if len(vparts) != 6 {
		return false
	}
	for i := range 6 {
		if !pparts[i].Match(vparts[i], false) {
			return false
		}
	}
	return true
}

// split splits a pattern at literal colons into at most n parts.
func (p Pattern) split(n int) []Pattern {
	var out []Pattern
	start := 0
	for i, e := range p {
		if len(out) == n-1 {
			break
		}
		if e.Kind == 'l' && e.Rune == ':' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

// Example is a string the pattern matches: its literal text, with "*"
// matching nothing and "?" one "x".
func (p Pattern) Example() string {
	var b strings.Builder
	for _, e := range p {
		switch e.Kind {
		case '*':
		case '?':
			b.WriteByte('x')
		default:
			b.WriteRune(e.Rune)
		}
	}
	return b.String()
}

// CoversAction reports whether a statement applies to an action: one of its
// Action values matches it, or it has NotAction and none of those does.
func (s Statement) CoversAction(action string) bool {
	matches := func(pattern string) bool { return MatchAction(pattern, action) }
	if s.NotActions != nil {
		return !slices.ContainsFunc(s.NotActions, matches)
	}
	return slices.ContainsFunc(s.Actions, matches)
}
