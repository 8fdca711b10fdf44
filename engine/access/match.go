package access

import (
	"strings"
	"unicode/utf8"
)

// A pattern is a compiled IAM wildcard pattern: "*" matches any run of
// characters (":" and "/" included, as in Action and Resource), "?" exactly
// one. Text that came from a policy variable is literal even when it holds
// "*" or "?", which is why patterns are compiled rather than matched as text.
type pattern []elem

type elem struct {
	kind byte // 'l' literal rune, '*' any run, '?' one rune
	r    rune
}

// resolver returns the value of a condition key for a policy variable.
type resolver func(key string) (string, bool)

// compilePattern turns policy text into a pattern. With vars set (policy
// language 2012-10-17), ${key} is replaced by the key's value from the
// request, ${*}, ${?} and ${$} by the literal character, and ${key, 'x'} by
// x when the key is absent. ok is false when a variable has no value: AWS
// then treats the element as not matching.
func compilePattern(text string, vars resolver) (p pattern, ok bool) {
	for i := 0; i < len(text); {
		if vars != nil && strings.HasPrefix(text[i:], "${") {
			end := strings.IndexByte(text[i:], '}')
			if end > 0 {
				val, found := resolveVariable(text[i+2:i+end], vars)
				if !found {
					return nil, false
				}
				for _, r := range val {
					p = append(p, elem{'l', r})
				}
				i += end + 1
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '*':
			p = append(p, elem{kind: '*'})
		case '?':
			p = append(p, elem{kind: '?'})
		default:
			p = append(p, elem{'l', r})
		}
		i += size
	}
	return p, true
}

// literalPattern compiles text with no wildcards (StringEquals, ArnEquals
// values keep their wildcards; IgnoreCase and Equals do not).
func literalPattern(text string, vars resolver) (pattern, bool) {
	p, ok := compilePattern(text, vars)
	for i := range p {
		switch p[i].kind {
		case '*':
			p[i] = elem{'l', '*'}
		case '?':
			p[i] = elem{'l', '?'}
		}
	}
	return p, ok
}

// resolveVariable reads the inside of ${...}.
func resolveVariable(inner string, vars resolver) (string, bool) {
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

// match reports whether s matches the pattern. fold compares letters without
// case (actions); resources and condition values compare with case.
func (p pattern) match(s string, fold bool) bool {
	text := []rune(s)
	pi, ti := 0, 0
	starP, starT := -1, 0
	for ti < len(text) {
		if pi < len(p) {
			e := p[pi]
			switch {
			case e.kind == '*':
				starP, starT = pi, ti
				pi++
				continue
			case e.kind == '?' || runeEq(e.r, text[ti], fold):
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
	for pi < len(p) && p[pi].kind == '*' {
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

// wildcardMatch matches text against a policy pattern without variables.
func wildcardMatch(pat, s string, fold bool) bool {
	p, _ := compilePattern(pat, nil)
	return p.match(s, fold)
}

// actionMatches reports whether a policy's Action value covers the
// request's action. IAM compares actions without case, and "*" or "?" may
// appear anywhere ("s3:Get*", "iam:*AccessKey*", "*").
func actionMatches(pat, action string) bool {
	return wildcardMatch(pat, action, true)
}

// resourceMatches reports whether a policy's Resource value covers the
// request's resource. Resources compare with case; variables are resolved
// from the request context.
func resourceMatches(pat, resource string, vars resolver) (matched, resolved bool) {
	p, ok := compilePattern(pat, vars)
	if !ok {
		return false, false
	}
	return p.match(resource, false), true
}

// arnMatches is ArnLike: each of the six colon-separated parts is matched
// on its own, so a "*" in the region cannot swallow the account. A pattern
// with fewer parts (such as "*") is matched as a whole, as StringLike would.
func arnMatches(pat pattern, value string) bool {
	vparts := strings.SplitN(value, ":", 6)
	pparts := splitPattern(pat, 6)
	if len(pparts) < 6 {
		return pat.match(value, false)
	}
	if len(vparts) != 6 {
		return false
	}
	for i := range 6 {
		if !pparts[i].match(vparts[i], false) {
			return false
		}
	}
	return true
}

// splitPattern splits a pattern at literal colons into at most n parts.
func splitPattern(p pattern, n int) []pattern {
	var out []pattern
	start := 0
	for i, e := range p {
		if len(out) == n-1 {
			break
		}
		if e.kind == 'l' && e.r == ':' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

// example is a string the pattern matches: its literal text, with "*"
// matching nothing and "?" one "x".
func (p pattern) example() string {
	var b strings.Builder
	for _, e := range p {
		switch e.kind {
		case '*':
		case '?':
			b.WriteByte('x')
		default:
			b.WriteRune(e.r)
		}
	}
	return b.String()
}
