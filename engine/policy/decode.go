package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxDepth is how deeply a policy document may nest objects and arrays. The
// deepest document IAM's grammar allows nests six levels (the document, its
// Statement list, a statement, its Condition, an operator, a key's list of
// values); anything much deeper is not a policy, and reading it level by
// level would only cost memory.
const MaxDepth = 32

// DuplicateKeyError reports an object that names a key twice. JSON decoders
// keep one of the two values (Go's the last), so what a plan shows from the
// decoded document need not be what IAM reads from the text: the text is
// refused rather than guessed at.
type DuplicateKeyError struct {
	Key          string
	Path         string // where the object is, such as "Statement[1].Condition"; "" for the document itself
	Line, Column int    // of the second occurrence, 1-based, in the document's text
}

func (e *DuplicateKeyError) Error() string {
	where := "the document"
	if e.Path != "" {
		where = e.Path
	}
	return fmt.Sprintf("duplicate key %q in %s at line %d, column %d of the document: JSON keeps only one of the two values, so remove one",
		e.Key, where, e.Line, e.Column)
}

// decoder reads one JSON value into the types encoding/json gives an any
// (map[string]any, []any, string, json.Number, bool, nil), refusing
// duplicate object keys at every level and nesting beyond MaxDepth.
type decoder struct {
	text string
	dec  *json.Decoder
	// badRune is the first string (key or value) holding a character
	// outside IAM's PolicyDocument pattern, with where it is: Parse keeps
	// it for ParseStrict, which refuses it.
	badRune *RuneError
}

// RuneError reports a character IAM does not accept in a policy document.
type RuneError struct {
	Rune  rune
	Path  string // where the string is, as in DuplicateKeyError
	Value string // the string holding it
}

func (e *RuneError) Error() string {
	where := "the document"
	if e.Path != "" {
		where = e.Path
	}
	return fmt.Sprintf("%s holds the character %U (%s), which IAM does not accept in a policy document: it accepts only tab, line feed, carriage return and U+0020 to U+00FF. Remove it or write the plain character it stands for",
		where, e.Rune, runeName(e.Rune))
}

func runeName(r rune) string {
	switch r {
	case 0x200b:
		return "zero width space"
	case 0x200c:
		return "zero width non-joiner"
	case 0x200d:
		return "zero width joiner"
	case 0x202e:
		return "right-to-left override"
	case 0x202d:
		return "left-to-right override"
	case 0xfeff:
		return "byte order mark"
	}
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return "a control character"
	}
	return strconv.QuoteRune(r)
}

// AllowedRune reports whether IAM's PolicyDocument pattern
// [\u0009\u000A\u000D\u0020-\u00FF]+ accepts r.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html (PolicyDocument)
func AllowedRune(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xff)
}

// FirstBadRune is the first character of s that AllowedRune refuses.
func FirstBadRune(s string) (rune, bool) {
	for _, r := range s {
		if !AllowedRune(r) {
			return r, true
		}
	}
	return 0, false
}

func decodeJSON(text string) (any, *decoder, error) {
	d := &decoder{text: text, dec: json.NewDecoder(strings.NewReader(text))}
	d.dec.UseNumber()
	v, err := d.value("", 0)
	if err != nil {
		return nil, d, err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		if err == nil {
			return nil, d, errors.New("policy document is not a JSON object: it continues after the object ends")
		}
		return nil, d, fmt.Errorf("policy document is not a JSON object: %v", err)
	}
	return v, d, nil
}

func (d *decoder) note(path, s string) {
	if d.badRune != nil {
		return
	}
	if r, bad := FirstBadRune(s); bad {
		d.badRune = &RuneError{Rune: r, Path: path, Value: s}
	}
}

// token is the next token; the end of the text inside a value is an
// unexpected end.
func (d *decoder) token() (json.Token, error) {
	tok, err := d.dec.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fmt.Errorf("policy document is not a JSON object: %v", err)
	}
	return tok, nil
}

func (d *decoder) value(path string, depth int) (any, error) {
	tok, err := d.token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= MaxDepth {
			return nil, fmt.Errorf("policy document is nested more than %d levels deep; an IAM policy nests at most 6", MaxDepth)
		}
		switch t {
		case '{':
			m := map[string]any{}
			for d.dec.More() {
				start := d.skipSpace(int(d.dec.InputOffset()))
				kt, err := d.token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				d.note(path, k)
				if _, dup := m[k]; dup {
					line, col := lineCol(d.text, start)
					return nil, &DuplicateKeyError{Key: k, Path: path, Line: line, Column: col}
				}
				v, err := d.value(join(path, k), depth+1)
				if err != nil {
					return nil, err
				}
				m[k] = v
			}
			if _, err := d.token(); err != nil {
				return nil, err
			}
			return m, nil
		case '[':
			list := []any{}
			for i := 0; d.dec.More(); i++ {
				v, err := d.value(fmt.Sprintf("%s[%d]", path, i+1), depth+1)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			if _, err := d.token(); err != nil {
				return nil, err
			}
			return list, nil
		}
		return nil, fmt.Errorf("policy document is not a JSON object: unexpected %v", t)
	case string:
		d.note(path, t)
		return t, nil
	default:
		return t, nil
	}
}

// skipSpace moves past whitespace and the comma before an object key.
func (d *decoder) skipSpace(i int) int {
	for i < len(d.text) {
		switch d.text[i] {
		case ' ', '\t', '\n', '\r', ',':
			i++
			continue
		}
		break
	}
	return i
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lineCol is the 1-based line and column (in characters) of byte offset i.
func lineCol(text string, i int) (int, int) {
	if i > len(text) {
		i = len(text)
	}
	before := text[:i]
	line := strings.Count(before, "\n") + 1
	if nl := strings.LastIndexByte(before, '\n'); nl >= 0 {
		before = before[nl+1:]
	}
	return line, utf8.RuneCountInString(before) + 1
}
