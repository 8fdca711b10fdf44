package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// Version is the current IAM policy language version.
const Version = "2012-10-17"

// Document is an IAM policy document.
type Document struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one statement. Principals and NotPrincipals map a principal
// type (AWS, Service, Federated, CanonicalUser, or "*" for the bare wildcard)
// to its values. Conditions map an operator (StringEquals, Bool, ...) to
// condition keys and their values.
type Statement struct {
	Sid           string
	Effect        string
	Actions       []string
	NotActions    []string
	Resources     []string
	NotResources  []string
	Principals    map[string][]string
	NotPrincipals map[string][]string
	Conditions    map[string]map[string][]string
}

// JSON renders the document as compact IAM JSON. Single values are written as
// lists; Canonical is what removes such differences for comparison.
func (d Document) JSON() string {
	m := d.toMap(false)
	b, _ := marshal(m)
	return string(b)
}

// Indented renders the document as IAM JSON indented for people to read.
func (d Document) Indented() string {
	var buf bytes.Buffer
	_ = json.Indent(&buf, []byte(d.JSON()), "", "  ")
	return buf.String()
}

func (d Document) toMap(canonical bool) map[string]any {
	m := map[string]any{}
	v := d.Version
	if v == "" && canonical {
		v = "2008-10-17" // IAM's default when Version is absent
	}
	if v != "" {
		m["Version"] = v
	}
	if d.ID != "" {
		m["Id"] = d.ID
	}
	stmts := make([]any, 0, len(d.Statements))
	for _, s := range d.Statements {
		stmts = append(stmts, s.toMap())
	}
	m["Statement"] = stmts
	return m
}

func (s Statement) toMap() map[string]any {
	m := map[string]any{}
	if s.Sid != "" {
		m["Sid"] = s.Sid
	}
	m["Effect"] = s.Effect
	put := func(k string, v []string) {
		if v != nil {
			m[k] = v
		}
	}
	put("Action", s.Actions)
	put("NotAction", s.NotActions)
	put("Resource", s.Resources)
	put("NotResource", s.NotResources)
	if s.Principals != nil {
		m["Principal"] = principalValue(s.Principals)
	}
	if s.NotPrincipals != nil {
		m["NotPrincipal"] = principalValue(s.NotPrincipals)
	}
	if len(s.Conditions) > 0 {
		m["Condition"] = s.Conditions
	}
	return m
}

func principalValue(p map[string][]string) any {
	if v, ok := p["*"]; ok && len(p) == 1 && len(v) == 0 {
		return "*"
	}
	return p
}

// marshal writes JSON without HTML escaping: IAM documents contain "<", ">" and
// "&" rarely, but when they do they must read as written.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Parse reads an IAM policy document. It accepts what IAM accepts in shape:
// Statement as an object or a list, single strings or lists for Action,
// Resource and principal values, "*" as Principal, and URL-encoded documents
// as IAM's read APIs return them.
//
// The text is decoded once, numbers kept as written, and the values walked:
// a plan of an organisation reads tens of thousands of documents, and
// decoding each element again into its Go type would validate the same
// bytes several times over.
func Parse(text string) (Document, error) {
	text = strings.TrimSpace(text)
	if strings.HasPrefix(text, "%7B") || strings.HasPrefix(text, "%7b") {
		// RFC 3986 percent-encoding, as IAM's read APIs use: a literal "+"
		// is a plus (it is %2B only when encoded), never a space.
		if dec, err := url.PathUnescape(text); err == nil {
			text = dec
		}
	}
	return parsedLoose.parse(text, func(text string) (Document, error) {
		d, _, err := parse(text)
		return d, err
	})
}

// ParseStrict reads a policy document as IAM's write APIs (CreatePolicy,
// CreateRole, PutRolePolicy, UpdateAssumeRolePolicy) take it: JSON text,
// not percent-encoded as the read APIs return it, and only the characters
// of IAM's PolicyDocument pattern [\u0009\u000A\u000D\u0020-\u00FF]+ in
// its strings (written as they are or as \u escapes).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html (PolicyDocument)
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func ParseStrict(text string) (Document, error) {
	t := strings.TrimSpace(text)
	if strings.HasPrefix(t, "%") {
		return Document{}, &EncodedError{Start: short(t, 12)}
	}
	return parsedStrict.parse(t, func(t string) (Document, error) {
		d, dec, err := parse(t)
		if err != nil {
			return d, err
		}
		if dec.badRune != nil {
			return d, dec.badRune
		}
		return d, nil
	})
}

// EncodedError reports a percent-encoded document given where IAM takes
// JSON text.
type EncodedError struct{ Start string }

func (e *EncodedError) Error() string {
	return fmt.Sprintf("policy document is percent-encoded (it starts with %q): IAM's read APIs return documents so, but its write APIs take the JSON text; decode it, or write the JSON itself", e.Start)
}

func short(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "..."
	}
	return s
}

func parse(text string) (Document, *decoder, error) {
	value, dec, err := decodeJSON(text)
	if err != nil {
		return Document{}, dec, err
	}
	d, err := fromValue(value)
	return d, dec, err
}

func fromValue(value any) (Document, error) {
	raw, ok := value.(map[string]any)
	if !ok {
		return Document{}, fmt.Errorf("policy document is not a JSON object: it is %s", jsonKind(value))
	}
	var d Document
	for k, v := range raw {
		switch k {
		case "Version":
			version, ok := stringValue(v)
			if !ok {
				return d, fmt.Errorf("Version must be a string")
			}
			d.Version = version
			if d.Version != "2012-10-17" && d.Version != "2008-10-17" {
				return d, fmt.Errorf("Version %q is not a policy language version (use %q)", d.Version, Version)
			}
		case "Id":
			id, ok := stringValue(v)
			if !ok {
				return d, fmt.Errorf("Id must be a string")
			}
			d.ID = id
		case "Statement":
			list, isList := v.([]any)
			if !isList && v != nil { // null is no statements, as an empty list
				list = []any{v}
			}
			for i, rs := range list {
				s, err := parseStatement(rs)
				if err != nil {
					return d, fmt.Errorf("statement %d: %v", i+1, err)
				}
				d.Statements = append(d.Statements, s)
			}
		default:
			return d, fmt.Errorf("unknown policy element %q (expected Version, Id or Statement)", k)
		}
	}
	if _, ok := raw["Statement"]; !ok {
		return d, fmt.Errorf("policy document has no Statement")
	}
	return d, nil
}

// stringValue is a JSON string's value. A JSON null reads as "", as it
// does when decoded into a Go string.
func stringValue(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case nil:
		return "", true
	}
	return "", false
}

// jsonKind names a decoded JSON value's type for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

func parseStatement(v any) (Statement, error) {
	raw, ok := v.(map[string]any)
	if !ok && v != nil { // null is an empty statement: "missing Effect"
		return Statement{}, fmt.Errorf("a statement must be a JSON object")
	}
	var s Statement
	for k, v := range raw {
		var err error
		switch k {
		case "Sid":
			var ok bool
			if s.Sid, ok = stringValue(v); !ok {
				err = fmt.Errorf("must be a string, not %s", jsonKind(v))
			}
		case "Effect":
			var ok bool
			if s.Effect, ok = stringValue(v); !ok {
				err = fmt.Errorf("must be a string, not %s", jsonKind(v))
			} else if s.Effect != "Allow" && s.Effect != "Deny" {
				return s, fmt.Errorf("Effect must be \"Allow\" or \"Deny\", not %q", s.Effect)
			}
		case "Action":
			s.Actions, err = stringOrList(v)
		case "NotAction":
			s.NotActions, err = stringOrList(v)
		case "Resource":
			s.Resources, err = stringOrList(v)
		case "NotResource":
			s.NotResources, err = stringOrList(v)
		case "Principal":
			s.Principals, err = parsePrincipal(v)
		case "NotPrincipal":
			s.NotPrincipals, err = parsePrincipal(v)
		case "Condition":
			s.Conditions, err = parseCondition(v)
		default:
			return s, fmt.Errorf("unknown statement element %q", k)
		}
		if err != nil {
			return s, fmt.Errorf("%s: %v", k, err)
		}
	}
	if s.Effect == "" {
		return s, fmt.Errorf("missing Effect")
	}
	if (s.Actions == nil) == (s.NotActions == nil) {
		return s, fmt.Errorf("exactly one of Action or NotAction is required")
	}
	if s.Resources != nil && s.NotResources != nil {
		return s, fmt.Errorf("Resource and NotResource cannot both be given")
	}
	return s, nil
}

// stringOrList reads a string or a list of strings. null reads as "" and
// a null in a list as "", as they do when decoded into Go strings.
func stringOrList(v any) ([]string, error) {
	if one, ok := stringValue(v); ok {
		return []string{one}, nil
	}
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("must be a string or a list of strings")
	}
	list := make([]string, 0, len(items))
	for _, item := range items {
		s, ok := stringValue(item)
		if !ok {
			return nil, fmt.Errorf("must be a string or a list of strings")
		}
		list = append(list, s)
	}
	return list, nil
}

func parsePrincipal(v any) (map[string][]string, error) {
	if star, ok := stringValue(v); ok {
		if star != "*" {
			return nil, fmt.Errorf("a string principal must be \"*\"; use {\"AWS\": %q}", star)
		}
		return map[string][]string{"*": {}}, nil
	}
	raw, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be \"*\" or an object such as {\"AWS\": [...]}")
	}
	out := map[string][]string{}
	for k, rv := range raw {
		switch k {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return nil, fmt.Errorf("unknown principal type %q (expected AWS, Service, Federated or CanonicalUser)", k)
		}
		vals, err := stringOrList(rv)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k, err)
		}
		out[k] = vals
	}
	return out, nil
}

// errConditionShape is made once: parseCondition runs for every statement of
// every document a plan reads.
var errConditionShape = errors.New("must be an object of operators to objects of keys")

func parseCondition(v any) (map[string]map[string][]string, error) {
	out := map[string]map[string][]string{}
	if v == nil {
		return out, nil
	}
	raw, ok := v.(map[string]any)
	if !ok {
		return nil, errConditionShape
	}
	for op, keysValue := range raw {
		out[op] = map[string][]string{}
		if keysValue == nil {
			continue
		}
		keys, ok := keysValue.(map[string]any)
		if !ok {
			return nil, errConditionShape
		}
		for key, rv := range keys {
			vals, err := scalarOrList(rv)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %v", op, key, err)
			}
			out[op][key] = vals
		}
	}
	return out, nil
}

// scalarOrList reads condition values, which IAM lets be strings, numbers or
// booleans; they are compared as their string forms (numbers as written).
func scalarOrList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, item := range list {
		switch item := item.(type) {
		case string:
			out = append(out, item)
		case nil:
			out = append(out, "")
		case json.Number:
			out = append(out, item.String())
		case bool:
			out = append(out, fmt.Sprint(item))
		default:
			return nil, fmt.Errorf("condition values must be strings, numbers or booleans")
		}
	}
	return out, nil
}

// Canonical returns the document in the form used for comparison: statements
// as a sorted set, every list sorted and de-duplicated, action names in lower
// case (IAM matches them without case), a bare 12-digit account id in an AWS
// principal written as its root ARN, and condition values as sets.
func (d Document) Canonical() Document {
	c := Document{Version: d.Version, ID: d.ID}
	if c.Version == "" {
		c.Version = "2008-10-17"
	}
	seen := map[string]bool{}
	for _, s := range d.Statements {
		cs := s.canonical()
		key := cs.key()
		if seen[key] {
			continue
		}
		seen[key] = true
		c.Statements = append(c.Statements, cs)
	}
	sort.Slice(c.Statements, func(i, j int) bool { return c.Statements[i].key() < c.Statements[j].key() })
	return c
}

// CanonicalJSON is the canonical form rendered as JSON.
func (d Document) CanonicalJSON() string {
	b, _ := marshal(d.Canonical().toMap(true))
	return string(b)
}

func (s Statement) canonical() Statement {
	c := Statement{Sid: s.Sid, Effect: s.Effect}
	c.Actions = lowerSet(s.Actions)
	c.NotActions = lowerSet(s.NotActions)
	c.Resources = set(s.Resources)
	c.NotResources = set(s.NotResources)
	c.Principals = canonicalPrincipal(s.Principals)
	c.NotPrincipals = canonicalPrincipal(s.NotPrincipals)
	if len(s.Conditions) > 0 {
		c.Conditions = map[string]map[string][]string{}
		for op, keys := range s.Conditions {
			c.Conditions[op] = map[string][]string{}
			for k, vals := range keys {
				// Condition keys are case-insensitive in IAM; values are not.
				c.Conditions[op][strings.ToLower(k)] = set(vals)
			}
		}
	}
	return c
}

func (s Statement) key() string {
	b, _ := marshal(s.toMap())
	return string(b)
}

func canonicalPrincipal(p map[string][]string) map[string][]string {
	if p == nil {
		return nil
	}
	out := map[string][]string{}
	for k, vals := range p {
		if k == "*" {
			// "Principal": "*" and {"AWS": "*"} mean the same to IAM.
			k, vals = "AWS", append(p["AWS"], "*")
		}
		if k == "AWS" {
			fixed := make([]string, len(vals))
			for i, v := range vals {
				// A bare account id and its root ARN are the same principal;
				// the canonical form is the bare id, which holds in every
				// partition (IAM writes arn:aws-cn:iam::<id>:root in aws-cn).
				if id, ok := rootAccount(v); ok {
					v = id
				}
				fixed[i] = v
			}
			vals = fixed
		}
		out[k] = set(vals)
	}
	return out
}

// rootAccount returns the account id of an account's root principal ARN.
func rootAccount(v string) (string, bool) {
	id, ok := model.RootAccount(v)
	return id, ok && IsAccountID(id)
}

// IsAccountID reports whether s is an AWS account id: exactly 12 digits
// (model.IsAccountID, which the model's own checks use too).
func IsAccountID(s string) bool { return model.IsAccountID(s) }

func set(in []string) []string {
	if in == nil {
		return nil
	}
	out := append([]string{}, in...)
	sort.Strings(out)
	j := 0
	for i, v := range out {
		if i == 0 || v != out[j-1] {
			out[j] = v
			j++
		}
	}
	return out[:j]
}

func lowerSet(in []string) []string {
	if in == nil {
		return nil
	}
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = strings.ToLower(v)
	}
	return set(out)
}

// Equivalent reports whether two JSON documents mean the same to IAM by
// comparing their canonical forms. Documents that do not parse are compared
// as text.
func Equivalent(a, b string) bool {
	if a == b {
		// The same text means the same, parsable or not: the common case
		// of a plan with nothing to change, where the target returns the
		// document as it was written.
		return true
	}
	da, errA := Parse(a)
	db, errB := Parse(b)
	if errA != nil || errB != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return da.CanonicalJSON() == db.CanonicalJSON()
}

// Size is the number of characters IAM counts against its policy size limits:
// the document without whitespace outside of strings.
func Size(text string) int {
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(text)); err != nil {
		return len(text)
	}
	return len([]rune(buf.String()))
}

// Key is the statement's canonical form as text: two statements with the
// same key mean the same to IAM. Views use it to match statements across
// versions of a document.
func (s Statement) Key() string { return s.canonical().key() }
