package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
)

// The evaluation graph. Every local value is a vertex. A block that can be
// referenced (account, group, user, policy, role) has two: its identity —
// for_each and the arguments its reference object is made of (account, name,
// path...) — and its body, everything else. References point at identities
// only, so two roles can trust each other (each body reads the other's ARN)
// without a cycle; only references the identities themselves need can loop.

type vertexState int

const (
	unvisited vertexState = iota
	visiting
	done
)

type vertex struct {
	label  string // as in cycle messages: local.a, role.x
	deps   []dep
	run    func(cyclic bool)
	state  vertexState
	cyclic bool
	cur    int // index in deps being followed while visiting
}

type dep struct {
	v   *vertex
	rng hcl.Range // the reference, for cycle messages
}

// blockDecl is one top-level labelled block and, after evaluation, its
// instances (one unless it sets for_each).
type blockDecl struct {
	typ, name string
	d         *decoded
	forEach   *hcl.Attribute
	id, body  *vertex // id is nil for blocks nothing can refer to
	instances []*instance
	failed    bool // for_each could not be evaluated
}

func (b *blockDecl) addr() string { return b.typ + "." + b.name }

func (l *loader) buildGraph() {
	// Create every vertex first: references may point forward.
	var stackV *vertex
	if l.stack != nil {
		stackV = &vertex{label: "stack", run: l.runStack}
		l.vertices = append(l.vertices, stackV)
	}
	var orgV *vertex
	if l.org != nil {
		orgV = &vertex{label: "organization", run: l.runOrganization}
		l.vertices = append(l.vertices, orgV)
	}
	locals := make([]*localDecl, 0, len(l.locals))
	for _, lc := range l.locals {
		locals = append(locals, lc)
	}
	sort.Slice(locals, func(i, j int) bool { return rangeLess(locals[i].attr.Range, locals[j].attr.Range) })
	for _, lc := range locals {
		lc.v = &vertex{label: "local." + lc.name, run: l.runLocal(lc)}
		l.vertices = append(l.vertices, lc.v)
	}
	for _, b := range l.blocks {
		if refOf(b.typ) != nil {
			b.id = &vertex{label: b.addr(), run: l.runIdentity(b)}
			l.vertices = append(l.vertices, b.id)
		}
		b.body = &vertex{label: b.addr(), run: l.runBody(b)}
		l.vertices = append(l.vertices, b.body)
	}

	if stackV != nil {
		walkExprs(l.stack, func(a *hcl.Attribute) { stackV.deps = l.refs(stackV.deps, a.Expr, nil, false) })
	}
	if orgV != nil {
		walkExprs(l.org, func(a *hcl.Attribute) { orgV.deps = l.refs(orgV.deps, a.Expr, nil, false) })
	}
	for _, lc := range locals {
		lc.v.deps = l.refs(lc.v.deps, lc.attr.Expr, nil, false)
	}
	for _, b := range l.blocks {
		identity := map[string]bool{}
		if b.id != nil {
			b.body.deps = append(b.body.deps, dep{v: b.id, rng: b.d.block.DefRange})
			for _, a := range refOf(b.typ).identity {
				identity[a] = true
			}
		}
		walkExprs(b.d, func(a *hcl.Attribute) {
			isForEach := a == b.forEach
			if identity[a.Name] && a == b.d.attrs[a.Name] {
				b.id.deps = l.refs(b.id.deps, a.Expr, b, isForEach)
			} else {
				b.body.deps = l.refs(b.body.deps, a.Expr, b, isForEach)
			}
		})
	}
}

// walkExprs calls fn for every attribute of a decoded block and its nested
// blocks, in source order.
func walkExprs(d *decoded, fn func(*hcl.Attribute)) {
	for _, a := range d.sortedAttrs() {
		fn(a)
	}
	for _, c := range d.blocks {
		walkExprs(c, fn)
	}
}

// refs checks every reference of an expression and returns deps with the
// vertices it needs added. An expression with a bad reference is reported
// once here and never evaluated, so no second, vaguer error follows.
func (l *loader) refs(deps []dep, expr hcl.Expression, b *blockDecl, isForEach bool) []dep {
	inForEach := b != nil && b.forEach != nil && !isForEach
	for _, tr := range expr.Variables() {
		v, ok := l.checkRef(tr, b, inForEach, isForEach)
		if !ok {
			l.broken[expr.Range()] = true
			continue
		}
		if v == nil {
			continue
		}
		dup := false
		for _, d := range deps {
			dup = dup || d.v == v
		}
		if !dup {
			deps = append(deps, dep{v: v, rng: tr.SourceRange()})
		}
	}
	return deps
}

// checkRef validates one traversal and returns the vertex it depends on (nil
// for variables and each, which need none).
func (l *loader) checkRef(tr hcl.Traversal, b *blockDecl, inForEach, isForEach bool) (*vertex, bool) {
	root := tr.RootName()
	rootRng := tr[0].SourceRange()
	var name string
	var nameRng hcl.Range
	if len(tr) > 1 {
		if a, ok := tr[1].(hcl.TraverseAttr); ok {
			name = a.Name
			nameRng = hcl.RangeBetween(rootRng, a.SrcRange)
		}
	}
	needName := func(example string) bool {
		if name != "" {
			return true
		}
		l.errorf(tr.SourceRange(), "Invalid reference",
			"%s must be followed by a name, for example %s.", root, example)
		return false
	}

	if ref := refOf(root); ref != nil {
		return l.checkBlockRef(tr, root, name, rootRng, nameRng, ref, needName)
	}
	if k, ok := kindOfBlock(root); ok && k.body != nil {
		l.errorf(tr.SourceRange(), "Invalid reference",
			"%s blocks cannot be referenced: they produce no value other blocks could use.", root)
		return nil, false
	}
	switch root {
	case "var":
		if !needName("var.production_id") {
			return nil, false
		}
		if l.varByName[name] == nil {
			l.errorf(nameRng, "Reference to undeclared input variable",
				"No variable %q is declared.%s Declare it with a variable %q block, or correct the name.",
				name, suggestion(name, l.variableNames(), " Did you mean var.%s?"), name)
			return nil, false
		}
		return nil, true

	case "local":
		if !needName("local.bucket") {
			return nil, false
		}
		lc := l.locals[name]
		if lc == nil {
			l.errorf(nameRng, "Reference to undeclared local value",
				"No local value %q is defined in any locals block.%s Define it in a locals block, or correct the name.",
				name, suggestion(name, sortedKeys(l.locals), " Did you mean local.%s?"))
			return nil, false
		}
		return lc.v, true

	case "each":
		switch {
		case isForEach:
			l.errorf(tr.SourceRange(), "Invalid reference to each",
				"each.key and each.value describe one instance of a for_each block, so for_each itself cannot use them. Build the collection from variables, locals or other blocks.")
			return nil, false
		case !inForEach:
			l.errorf(tr.SourceRange(), "Invalid reference to each",
				"each.key and each.value exist only inside blocks that set for_each (%s). Add for_each to this block, or refer to the value directly.", strings.Join(forEachTypes, ", "))
			return nil, false
		case name != "key" && name != "value":
			l.errorf(tr.SourceRange(), "Invalid reference to each",
				"each has two attributes, each.key and each.value.%s", suggestion(name, []string{"key", "value"}, " Did you mean each.%s?"))
			return nil, false
		}
		return nil, true

	case "variable":
		l.errorf(rootRng, "Invalid reference", "Input variables are referenced as var.NAME.%s", nameHint("var", name))
		return nil, false
	case "locals":
		l.errorf(rootRng, "Invalid reference", "Local values are referenced as local.NAME.%s", nameHint("local", name))
		return nil, false
	}
	roots := append([]string{"var", "local", "each"}, refTypes...)
	l.errorf(rootRng, "Unknown reference",
		"There is nothing named %q to refer to.%s References start with var., local., each. or a block type: %s",
		root, suggestion(root, roots, " Did you mean %s?"), orList(refTypes, "."))
	return nil, false
}

// checkBlockRef validates a reference to a block, such as role.x.arn: the
// block is declared, an instance is selected when it sets for_each, and the
// attribute is one its reference carries.
func (l *loader) checkBlockRef(tr hcl.Traversal, root, name string, rootRng, nameRng hcl.Range, ref *refSpec, needName func(string) bool) (*vertex, bool) {
	if !needName(root + ".production") {
		return nil, false
	}
	target := l.byType[root][name]
	if target == nil {
		hint := suggestion(name, sortedKeys(l.byType[root]), " Did you mean "+root+".%s?")
		if hint == "" {
			for _, t := range refTypes {
				if l.byType[t][name] != nil {
					hint = fmt.Sprintf(" There is a %s %q: did you mean %s.%s?", t, name, t, name)
					break
				}
			}
		}
		l.errorf(nameRng, "Reference to undeclared "+root,
			"No %s %q is declared.%s Declare it with %s %s %q block, or correct the name.", root, name, hint, article(root), root, name)
		return nil, false
	}
	if len(tr) > 2 {
		if a, ok := tr[2].(hcl.TraverseAttr); ok {
			if target.forEach != nil {
				l.errorf(tr.SourceRange(), "Missing instance key",
					"%s.%s sets for_each, so it is a map of instances. Select one with %s.%s[\"KEY\"].%s, or all of them with values(%s.%s).",
					root, name, root, name, a.Name, root, name)
				return nil, false
			}
			attrs := ref.attrs
			if !contains(attrs, a.Name) {
				l.errorf(hcl.RangeBetween(rootRng, a.SrcRange), "Unsupported attribute",
					"A %s reference has the attributes %s; there is no %q.%s",
					root, strings.Join(attrs, ", "), a.Name, suggestion(a.Name, attrs, " Did you mean %q?"))
				return nil, false
			}
		}
	}
	return target.id, true

}

// orList joins words as "a, b or c", each followed by suffix.
func orList(words []string, suffix string) string {
	var b strings.Builder
	for i, w := range words {
		switch {
		case i == 0:
		case i == len(words)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(w + suffix)
	}
	return b.String()
}

func nameHint(prefix, name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" Did you mean %s.%s?", prefix, name)
}

// visit evaluates a vertex after everything it depends on. Meeting a vertex
// that is still being visited closes a cycle: every vertex on it is marked
// so that it evaluates to an unknown value instead of an error of its own.
func (l *loader) visit(v *vertex) {
	v.state = visiting
	l.visiting = append(l.visiting, v)
	for i, d := range v.deps {
		v.cur = i
		switch d.v.state {
		case visiting:
			l.reportCycle(d.v)
		case unvisited:
			l.visit(d.v)
		}
	}
	l.visiting = l.visiting[:len(l.visiting)-1]
	v.state = done
	v.run(v.cyclic)
}

func (l *loader) reportCycle(to *vertex) {
	start := 0
	for i, v := range l.visiting {
		if v == to {
			start = i
		}
	}
	chain := l.visiting[start:]
	names := make([]string, 0, len(chain)+1)
	for _, v := range chain {
		v.cyclic = true
		names = append(names, v.label)
	}
	names = append(names, to.label)
	first := chain[0]
	if len(chain) == 1 {
		l.errorf(first.deps[first.cur].rng, "Reference cycle",
			"%s refers to itself, so it cannot be evaluated. Write the value it needs literally, or take it from a variable or another local.", first.label)
		return
	}
	l.errorf(first.deps[first.cur].rng, "Reference cycle",
		"%s: each needs the value of the next, so none can be evaluated. Break the cycle, for example by writing one of the values literally.",
		strings.Join(names, " → "))
}

// suggestion formats the closest of candidates to name with format, or
// returns "" when none is close: within HCL's edit distance threshold, or
// else the only candidate that the name abbreviates (prod → production).
func suggestion(name string, candidates []string, format string) string {
	best, bestDist := "", 3
	var prefixed []string
	for _, c := range candidates {
		if d := levenshtein.Distance(name, c, nil); d < bestDist {
			best, bestDist = c, d
		}
		if len(name) >= 2 && strings.HasPrefix(strings.ToLower(c), strings.ToLower(name)) {
			prefixed = append(prefixed, c)
		}
	}
	if best == "" && len(prefixed) == 1 {
		best = prefixed[0]
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(format, best)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
