package schema

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/trustform/trustform/engine/model"
)

// status is what a getter found: nothing (absent or null), a usable value, or
// a value that could not be used — already reported, or unknown because
// something it depends on failed and was reported.
type status int

const (
	absent status = iota
	valid
	failed
)

// instance is one instance of a block: the block itself, or one key of its
// for_each.
type instance struct {
	key     string
	keyed   bool
	each    cty.Value // object {key, value} when keyed
	addr    string
	ok      bool     // the identity evaluated and is valid
	info    *refInfo // the identity, for referenceable blocks (set even when not ok)
	acct    *refInfo // the account the object lives in, nil if unknown
	nameRng hcl.Range
	out     any // the engine config object
}

// refInfo is what a reference object stands for. Reference values carry
// only the attributes users see; their arn finds this record again.
type refInfo struct {
	kind      string // account, group, user, policy, role
	addr      string
	accountID string
	partition string
	name      string
	path      string
	arn       string
	existing  bool // a group or user declared with existing = true
	external  bool // an account declared with external = true
	def       hcl.Range
}

// baseCtx is the context scopes start from: functions, and "each" as
// unknown outside for_each instances. The variables an expression sees are
// added for that expression alone (ctxFor).
func (l *loader) baseCtx() *hcl.EvalContext {
	return &hcl.EvalContext{Variables: map[string]cty.Value{"each": cty.DynamicVal}, Functions: l.funcs}
}

func objectOf(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

// scope evaluates the arguments of one instance of a block.
type scope struct {
	l   *loader
	ctx *hcl.EvalContext
	in  *instance // nil for locals and the stack block
}

// scopeFor evaluates in base (built once per vertex: the tables do not
// change while one block is evaluated), with each set for a for_each
// instance.
func (l *loader) scopeFor(base *hcl.EvalContext, in *instance) *scope {
	ctx := base
	if in != nil && in.keyed {
		ctx = ctx.NewChild()
		ctx.Variables = map[string]cty.Value{"each": in.each}
	}
	return &scope{l: l, ctx: ctx, in: in}
}

// ctxFor is the evaluation context of one expression: the blocks it refers
// to, not every block of the stack. Building an object of every declared
// block for each expression made loading quadratic in the size of the stack
// (10,000 objects: seconds). A reference to a label that does not exist gets
// the whole object of its block type, so that HCL's own message (with its
// "Did you mean") is unchanged.
func (s *scope) ctxFor(expr hcl.Expression) *hcl.EvalContext {
	l := s.l
	vars := map[string]cty.Value{"each": cty.DynamicVal}
	if s.in != nil && s.in.keyed {
		vars["each"] = s.in.each
	}
	partial := map[string]map[string]cty.Value{}
	full := map[string]bool{}
	for _, tr := range expr.Variables() {
		root := tr.RootName()
		switch {
		case root == "var":
			vars[root] = objectOf(l.vars)
		case root == "local":
			vars[root] = objectOf(l.localVals)
		case slices.Contains(refTypes, root):
			label := ""
			if len(tr) > 1 {
				if a, ok := tr[1].(hcl.TraverseAttr); ok {
					label = a.Name
				}
			}
			v, have := l.refVals[root][label]
			if !have {
				full[root] = true
				continue
			}
			if partial[root] == nil {
				partial[root] = map[string]cty.Value{}
			}
			partial[root][label] = v
		}
	}
	for root, m := range partial {
		vars[root] = cty.ObjectVal(m)
	}
	for root := range full {
		vars[root] = objectOf(l.refVals[root])
	}
	for _, t := range refTypes {
		if _, ok := vars[t]; !ok {
			vars[t] = cty.EmptyObjectVal
		}
	}
	return &hcl.EvalContext{Variables: vars, Functions: l.funcs}
}

// where prefixes messages about values with the instance they came from,
// since one expression serves every instance of a for_each block.
func (s *scope) where() string {
	if s.in == nil || !s.in.keyed {
		return ""
	}
	return s.in.addr + ": "
}

func (s *scope) errorf(rng hcl.Range, summary, format string, args ...any) {
	s.l.errorf(rng, summary, s.where()+format, args...)
}

func (s *scope) eval(a *hcl.Attribute) (cty.Value, status) {
	if s.l.broken[a.Expr.Range()] {
		return cty.DynamicVal, failed
	}
	v, diags := a.Expr.Value(s.ctxFor(a.Expr))
	s.l.add(diags)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.DynamicVal, failed
	}
	return v, valid
}

// get evaluates an argument and converts it to ty. A null value counts as
// absent, except for required arguments.
func (s *scope) get(d *decoded, name string, ty cty.Type) (cty.Value, status) {
	a := d.attrs[name]
	if a == nil {
		return cty.NilVal, absent
	}
	v, st := s.eval(a)
	if st != valid {
		return v, st
	}
	if v.IsNull() {
		if ex, req := d.spec.required[name]; req {
			s.errorf(a.Expr.Range(), "Missing required argument",
				"The argument %q is required and cannot be null, for example:\n  %s", name, ex)
			return v, failed
		}
		return v, absent
	}
	if ty == cty.DynamicPseudoType {
		return v, valid
	}
	if n, many := tooMany(v); many {
		s.errorf(a.Expr.Range(), "Too many values",
			"%q holds %s values; trustform accepts at most %s in one argument. IAM could not hold them anyway: a trust policy has at most 2,048 characters by default (8,192 at most), a managed policy 6,144 and a role's or user's inline policies 10,240 together, and an account at most 5,000 roles and 5,000 users. Split the values across statements or policies, or match them with a pattern (StringLike) or a tag condition instead.",
			name, thousands(n), maxValuesText)
		return cty.DynamicVal, failed
	}
	cv, err := convertFast(v, ty)
	if err != nil {
		s.l.diags = append(s.l.diags, &hcl.Diagnostic{
			Severity:    hcl.DiagError,
			Summary:     "Incorrect attribute value type",
			Detail:      fmt.Sprintf("%sInappropriate value for argument %q: %s. %s", s.where(), name, errText(err), typeHint(ty)),
			Subject:     a.Expr.Range().Ptr(),
			Expression:  a.Expr,
			EvalContext: s.ctxFor(a.Expr),
		})
		return cv, failed
	}
	if (ty.IsListType() || ty.IsMapType()) && cv.LengthInt() > 0 {
		for it := cv.ElementIterator(); it.Next(); {
			k, e := it.Element()
			if e.IsNull() {
				s.errorf(a.Expr.Range(), "Null value in collection",
					"Element %s of %q is null. Remove it, or give it a value.", keyString(k), name)
				return cv, failed
			}
		}
	}
	return cv, valid
}

// maxValues bounds the elements of one list, set or map argument, checked
// before its value is converted to the argument's type: go-cty's conversion
// of a tuple to a list unifies the element types in time quadratic in their
// number (20,000 values: 7 s; 50,000: 41 s), and only then did the policy
// size check refuse the policy. IAM's own limits bound a sane list far lower
// (the largest policy, a role's 10,240 characters of inline policies, holds
// some 3,400 values of the shortest form "a",), so 10,000 refuses nothing
// IAM would accept, and the quota messages still speak for lists below it.
const (
	maxValues     = 10000
	maxValuesText = "10,000"
)

// tooMany reports the length of a collection or structural value longer
// than maxValues.
func tooMany(v cty.Value) (int, bool) {
	ty := v.Type()
	if !v.IsKnown() || v.IsNull() || !(ty.IsListType() || ty.IsSetType() || ty.IsMapType() || ty.IsTupleType() || ty.IsObjectType()) {
		return 0, false
	}
	n := v.LengthInt()
	return n, n > maxValues
}

// slowConversions counts the lists convertFast left to go-cty, for the
// test that a long list of strings is never unified.
var slowConversions atomic.Int64

// convertFast is convert.Convert, except that a tuple or list whose elements
// all have the element type of the list wanted becomes that list directly:
// go-cty unifies the element types of a tuple even when they are all
// strings, in time quadratic in their number.
func convertFast(v cty.Value, ty cty.Type) (cty.Value, error) {
	vt := v.Type()
	if ty.IsListType() && (vt.IsTupleType() || vt.IsListType()) && v.IsWhollyKnown() && !v.IsNull() && !v.ContainsMarked() && v.LengthInt() > 0 {
		et := ty.ElementType()
		elems := make([]cty.Value, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if !e.Type().Equals(et) || e.IsNull() {
				slowConversions.Add(1)
				return convert.Convert(v, ty)
			}
			elems = append(elems, e)
		}
		return cty.ListVal(elems), nil
	}
	return convert.Convert(v, ty)
}

func (s *scope) str(d *decoded, name string) (string, status) {
	v, st := s.get(d, name, cty.String)
	if st != valid {
		return "", st
	}
	return v.AsString(), valid
}

func (s *scope) boolean(d *decoded, name string) (bool, status) {
	v, st := s.get(d, name, cty.Bool)
	if st != valid {
		return false, st
	}
	return v.True(), valid
}

func (s *scope) integer(d *decoded, name string) (int, status) {
	v, st := s.get(d, name, cty.Number)
	if st != valid {
		return 0, st
	}
	bf := v.AsBigFloat()
	i, acc := bf.Int64()
	if !bf.IsInt() || acc != 0 || i > 1<<31 || i < -(1<<31) {
		s.errorf(d.attrs[name].Expr.Range(), "Incorrect attribute value type",
			"Inappropriate value for argument %q: %s is not a whole number in range. %s", name, bf.Text('g', 10), typeHint(cty.Number))
		return 0, failed
	}
	return int(i), valid
}

func (s *scope) strList(d *decoded, name string) ([]string, status) {
	v, st := s.get(d, name, cty.List(cty.String))
	if st != valid {
		return nil, st
	}
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e.AsString())
	}
	return out, valid
}

func (s *scope) strMap(d *decoded, name string) (map[string]string, status) {
	v, st := s.get(d, name, cty.Map(cty.String))
	if st != valid {
		return nil, st
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		out[k.AsString()] = e.AsString()
	}
	return out, valid
}

// refRule says what an argument holding references accepts.
type refRule struct {
	what     string         // "an account", "a user or role"
	example  string         // account.production
	kinds    []string       // reference kinds accepted
	arn      *regexp.Regexp // ARN strings accepted when set
	arnWhat  string         // how to describe an accepted ARN
	kindHint map[string]string
}

// target is a resolved reference: a declared object, or an ARN string.
type target struct {
	info *refInfo // nil for an ARN given as a string
	arn  string
}

func (s *scope) ref(d *decoded, name string, r refRule) (target, status) {
	v, st := s.get(d, name, cty.DynamicPseudoType)
	if st != valid {
		return target{}, st
	}
	t, ok := s.resolve(v, d.attrs[name].Expr.Range(), name, r)
	if !ok {
		return t, failed
	}
	return t, valid
}

func (s *scope) refList(d *decoded, name string, r refRule) ([]target, []hcl.Range, status) {
	v, st := s.get(d, name, cty.DynamicPseudoType)
	if st != valid {
		return nil, nil, st
	}
	a := d.attrs[name]
	ty := v.Type()
	if !(ty.IsListType() || ty.IsTupleType() || ty.IsSetType()) {
		hint := ""
		if isInstanceMap(v) {
			hint = " This is a map of for_each instances: use values(...) to list them."
		}
		s.errorf(a.Expr.Range(), "Incorrect attribute value type",
			"Inappropriate value for argument %q: a list is required, such as [%s].%s", name, r.example, hint)
		return nil, nil, failed
	}
	n := v.LengthInt()
	ranges := elemRanges(a.Expr, n, ty.IsSetType())
	out := make([]target, 0, n)
	st = valid
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		t, ok := s.resolve(e, ranges[i], name, r)
		if !ok {
			st = failed
			continue
		}
		out = append(out, t)
	}
	return out, ranges, st
}

// elemRanges returns a range per element of a list expression: each element's
// own when the list is written out literally, else the whole expression's.
func elemRanges(expr hcl.Expression, n int, isSet bool) []hcl.Range {
	out := make([]hcl.Range, n)
	elems, diags := hcl.ExprList(expr)
	for i := range out {
		if !isSet && !diags.HasErrors() && len(elems) == n {
			out[i] = elems[i].Range()
		} else {
			out[i] = expr.Range()
		}
	}
	return out
}

// iamKindOf is the kind of IAM object an ARN names by its resource type
// (root, role, user, group or policy), "" for any other ARN or text.
func iamKindOf(s string) string {
	a, err := model.ParseARN(s)
	if err != nil || a.Service != "iam" || a.Region != "" {
		return ""
	}
	if a.Resource == "root" {
		return "root"
	}
	typ, _, found := strings.Cut(a.Resource, "/")
	if found && (typ == "role" || typ == "user" || typ == "group" || typ == "policy") {
		return typ
	}
	return ""
}

func isInstanceMap(v cty.Value) bool {
	ty := v.Type()
	if ty.IsMapType() {
		et := ty.ElementType()
		return et.IsObjectType() && et.HasAttribute("arn")
	}
	return false
}

// resolve turns one value into a target according to r.
func (s *scope) resolve(v cty.Value, rng hcl.Range, name string, r refRule) (target, bool) {
	ty := v.Type()
	if v.IsNull() {
		s.errorf(rng, "Invalid reference", "%q needs %s, such as %s, not null.", name, r.what, r.example)
		return target{}, false
	}
	kindOf := func(info *refInfo) (target, bool) {
		if contains(r.kinds, info.kind) {
			return target{info: info, arn: info.arn}, true
		}
		s.errorf(rng, "Wrong kind of reference", "%q needs %s, but %s is %s %s.%s",
			name, r.what, info.addr, article(info.kind), info.kind, r.kindHint[info.kind])
		return target{}, false
	}
	switch {
	case ty == cty.String:
		str := v.AsString()
		if str == "*" && r.arn == PrincipalARNPattern {
			s.errorf(rng, "Wildcard principal",
				"%q: \"*\" would let every AWS principal, in every account, assume the role. Name the accounts, roles or users instead; if you really mean everyone (restricted by conditions such as aws:PrincipalOrgID), write the policy in trust_document.", name)
			return target{}, false
		}
		if info := s.l.byARN[str]; info != nil && r.arn != nil {
			// The ARN of a declared object: as good as a reference to it.
			return kindOf(info)
		}
		if kind := iamKindOf(str); kind != "" {
			if hint := r.kindHint[kind]; hint != "" {
				s.errorf(rng, "Wrong kind of principal", "%q needs %s, but %q is a %s ARN.%s",
					name, r.what, str, kind, hint)
				return target{}, false
			}
		}
		if r.arn == nil {
			detail := fmt.Sprintf("%q needs a reference to %s, such as %s, not a string.", name, r.what, r.example)
			if contains(r.kinds, "account") {
				detail += ` Declare the account with an account block (account "production" { id = "999999999999" }) and refer to it as account.production.`
			} else {
				detail += " Refer to the block that declares it, so that its account and kind are known."
			}
			s.errorf(rng, "Invalid reference", "%s", detail)
			return target{}, false
		}
		if !r.arn.MatchString(str) {
			s.errorf(rng, "Invalid ARN", "%q needs %s, such as %s, or %s; %q is neither.", name, r.what, r.example, r.arnWhat, str)
			return target{}, false
		}
		return target{arn: str}, true
	case ty.IsObjectType() && ty.HasAttribute("arn"):
		a := v.GetAttr("arn")
		if a.Type() == cty.String && !a.IsNull() {
			if info := s.l.byARN[a.AsString()]; info != nil {
				return kindOf(info)
			}
		}
	case isInstanceMap(v):
		s.errorf(rng, "Missing instance key",
			"%q needs %s, but this is a map of for_each instances. Select one with [\"KEY\"], or use each.value inside a for_each block.", name, r.what)
		return target{}, false
	}
	s.errorf(rng, "Invalid reference", "%q needs %s, such as %s; this is %s.", name, r.what, r.example, friendly(ty))
	return target{}, false
}

func article(kind string) string {
	if strings.IndexByte("aeiou", kind[0]) >= 0 {
		return "an"
	}
	return "a"
}

func friendly(ty cty.Type) string {
	if ty.IsObjectType() {
		return "an object that is not a reference to a block"
	}
	n := ty.FriendlyName()
	return article(n) + " " + n
}

func typeHint(ty cty.Type) string {
	switch {
	case ty == cty.String:
		return `Give a string, such as "example".`
	case ty == cty.Number:
		return "Give a whole number, such as 3600."
	case ty == cty.Bool:
		return "Give true or false."
	case ty.Equals(cty.List(cty.String)):
		return `Give a list of strings, such as ["a", "b"].`
	case ty.Equals(cty.Map(cty.String)):
		return `Give a map of strings, such as { team = "platform" }.`
	}
	return "Give a value of type " + ty.FriendlyName() + "."
}

// errText renders a conversion error with the path to the element at fault.
func errText(err error) string {
	pe, ok := err.(cty.PathError)
	if !ok || len(pe.Path) == 0 {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString("element ")
	for _, step := range pe.Path {
		switch st := step.(type) {
		case cty.IndexStep:
			b.WriteString(keyString(st.Key))
		case cty.GetAttrStep:
			b.WriteString("." + st.Name)
		}
	}
	return b.String() + ": " + pe.Error()
}

func keyString(k cty.Value) string {
	switch {
	case k.Type() == cty.String:
		return fmt.Sprintf("[%q]", k.AsString())
	case k.Type() == cty.Number:
		return "[" + k.AsBigFloat().Text('f', -1) + "]"
	}
	return "[?]"
}

// keyRanges maps each key of an object written out literally to the ranges
// of its key and its value, so that a message about one tag can point at
// that tag. Keys of other expressions (merge(...), for) are not found.
func (s *scope) keyRanges(expr hcl.Expression) map[string][2]hcl.Range {
	out := map[string][2]hcl.Range{}
	pairs, diags := hcl.ExprMap(expr)
	if diags.HasErrors() {
		return out
	}
	for _, p := range pairs {
		k, diags := p.Key.Value(s.ctxFor(p.Key))
		if diags.HasErrors() || !k.IsWhollyKnown() || k.IsNull() {
			continue
		}
		if k, err := convert.Convert(k, cty.String); err == nil {
			out[k.AsString()] = [2]hcl.Range{p.Key.Range(), p.Value.Range()}
		}
	}
	return out
}
