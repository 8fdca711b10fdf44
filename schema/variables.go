package schema

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// envPrefix names the environment variables that set input variables.
const envPrefix = "TRUSTFORM_VAR_"

type variableDecl struct {
	name     string
	d        *decoded
	ty       cty.Type // cty.DynamicPseudoType when no type is given
	defaults *typeexpr.Defaults
	value    cty.Value
	set      bool // a value was given (or a default)
	failed   bool // a value was given but was invalid, already reported
}

type localDecl struct {
	name string
	attr *hcl.Attribute
	v    *vertex
}

func (l *loader) collectVariable(b *hcl.Block) {
	d := l.decode(b, topSpecs["variable"])
	name := b.Labels[0]
	if first := l.varByName[name]; first != nil {
		l.errorf(b.DefRange, "Duplicate variable block",
			"A variable named %q is already declared at %s. Rename or remove one of them.", name, posString(first.d.block.DefRange))
		return
	}
	if !validLabel(name) {
		l.errorf(b.LabelRanges[0], "Invalid variable name",
			"%q cannot be referenced as var.%s. Use letters, digits, underscores and dashes, starting with a letter.", name, name)
		return
	}
	v := &variableDecl{name: name, d: d, ty: cty.DynamicPseudoType}
	if a := d.attrs["type"]; a != nil {
		ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(a.Expr)
		l.add(diags)
		if !diags.HasErrors() {
			v.ty, v.defaults = ty, defaults
		}
	}
	if a := d.attrs["description"]; a != nil {
		// Evaluated only to report a wrong type; the text is for readers.
		if val, diags := a.Expr.Value(l.literalCtx()); !diags.HasErrors() {
			if _, err := convert.Convert(val, cty.String); err != nil {
				l.errorf(a.Expr.Range(), "Incorrect attribute value type",
					"Inappropriate value for argument \"description\": %s. Give a string.", err)
			}
		} else {
			l.add(diags)
		}
	}
	l.varByName[name] = v
	l.variables = append(l.variables, v)
}

func (l *loader) collectLocals(b *hcl.Block) {
	attrs, diags := b.Body.JustAttributes()
	l.add(diags)
	for _, a := range sortedAttrs(attrs) {
		if first := l.locals[a.Name]; first != nil {
			l.errorf(a.NameRange, "Duplicate local value",
				"local.%s is already defined at %s. Local names are shared by every locals block of the stack: rename one of them.",
				a.Name, posString(first.attr.NameRange))
			continue
		}
		l.locals[a.Name] = &localDecl{name: a.Name, attr: a}
	}
}

func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	d := &decoded{attrs: attrs}
	return d.sortedAttrs()
}

// literalCtx evaluates expressions that may call functions but not refer to
// anything: variable defaults and the values given in -var-file files.
func (l *loader) literalCtx() *hcl.EvalContext {
	return &hcl.EvalContext{Functions: l.funcs}
}

// loadVariables gives each variable its value. Later sources override earlier
// ones, as in Terraform: default, then TRUSTFORM_VAR_<name>, then each
// -var-file in order, then each -var in order.
func (l *loader) loadVariables() {
	for _, v := range l.variables {
		a := v.d.attrs["default"]
		if a == nil {
			continue
		}
		val, diags := a.Expr.Value(l.literalCtx())
		for _, d := range diags {
			if d.Summary == "Variables not allowed" {
				d.Detail += " A variable's default is fixed when the stack is written: give a literal value, and compute derived values in locals."
			}
		}
		l.add(diags)
		if diags.HasErrors() {
			v.failed = true
			continue
		}
		l.setVariable(v, val, a.Expr.Range().Ptr(), "The default")
	}

	env := l.opts.Env
	if env == nil {
		env = os.Environ()
	}
	for _, kv := range env {
		key, raw, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(key, envPrefix) {
			continue
		}
		// The environment is shared with other tools: a variable this stack
		// does not declare is none of its business.
		if v := l.varByName[strings.TrimPrefix(key, envPrefix)]; v != nil {
			l.setRaw(v, raw, "<value for "+key+">", "The environment variable "+key)
		}
	}

	for _, path := range l.opts.VarFiles {
		l.loadVarFile(path)
	}

	for _, arg := range l.opts.Vars {
		name, raw, ok := strings.Cut(arg, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid -var option",
				Detail:   fmt.Sprintf("The option -var %q needs the form name=value, for example -var 'production_id=999999999999'.", arg),
			})
			continue
		}
		v := l.varByName[name]
		if v == nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail: fmt.Sprintf("-var sets %q, but the stack declares no such variable.%s Declare it with a variable %q block, or remove the option.",
					name, suggestion(name, l.variableNames(), " Did you mean %q?"), name),
			})
			continue
		}
		l.setRaw(v, raw, "<value for var."+name+">", "The -var "+name+" value")
	}
	l.setRecorded()

	for _, v := range l.variables {
		switch {
		case v.failed:
			l.vars[v.name] = cty.DynamicVal
		case !v.set:
			l.errorf(v.d.block.DefRange, "No value for required variable",
				"The variable %q has no default and was not set. Set it with -var '%s=...', in a -var-file, with the environment variable %s%s, or give it a default.",
				v.name, v.name, envPrefix, v.name)
			l.vars[v.name] = cty.DynamicVal
		default:
			l.vars[v.name] = v.value
		}
	}
	// Undeclared names referenced as var.x are reported by the reference
	// check; they are never looked up in this table.
}

func (l *loader) variableNames() []string {
	out := make([]string, 0, len(l.variables))
	for _, v := range l.variables {
		out = append(out, v.name)
	}
	return out
}

// setRaw sets a variable from text given on the command line or in the
// environment. As in Terraform, a variable of a primitive type takes the text
// as a string and converts it ("3600" to a number); other typed variables
// parse it as an HCL expression. An untyped variable parses it too, but keeps
// text that is not an expression (us-east-1) as a string.
func (l *loader) setRaw(v *variableDecl, raw, filename, what string) {
	if v.ty.IsPrimitiveType() {
		l.setVariable(v, cty.StringVal(raw), nil, what)
		return
	}
	if sc := scanHCL([]byte(raw), false); sc.deep >= 0 {
		// Too deep for the parser, and too deep for a string to be meant.
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail: fmt.Sprintf("%s for %q nests brackets, braces or parentheses deeper than %d levels, the most trustform reads. Flatten the value.",
				what, v.name, maxNesting),
			Subject: v.d.block.DefRange.Ptr(), // no source to point at; show where the variable is declared
		})
		v.failed = true
		return
	}
	expr, diags := hclsyntax.ParseExpression([]byte(raw), filename, hcl.InitialPos)
	var val cty.Value
	if !diags.HasErrors() {
		var evalDiags hcl.Diagnostics
		val, evalDiags = expr.Value(l.literalCtx())
		diags = append(diags, evalDiags...)
	}
	if v.ty == cty.DynamicPseudoType {
		// Numbers whose text would change by parsing (a leading zero in an
		// account id) are kept as typed too.
		if diags.HasErrors() || (val.Type() == cty.Number && val.AsBigFloat().Text('f', -1) != strings.TrimSpace(raw)) {
			val = cty.StringVal(raw)
		}
	} else if diags.HasErrors() {
		for _, d := range diags {
			if d.Severity != hcl.DiagError {
				continue
			}
			// The text has no file behind it, so no subject: there is no
			// snippet to show.
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail: fmt.Sprintf("%s for %q is not a valid %s value: %s: %s Write it in HCL syntax, such as %s.",
					what, v.name, typeexpr.TypeString(v.ty), d.Summary, d.Detail, exampleFor(v.ty)),
			})
			break
		}
		v.failed = true
		return
	}
	l.setVariable(v, val, nil, what)
}

func exampleFor(ty cty.Type) string {
	switch {
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		return `["a", "b"]`
	case ty.IsMapType() || ty.IsObjectType():
		return `{ name = "value" }`
	}
	return `"value"`
}

// setVariable converts a value to the variable's type and records it.
func (l *loader) setVariable(v *variableDecl, val cty.Value, subject *hcl.Range, what string) {
	if v.defaults != nil {
		val = v.defaults.Apply(val)
	}
	cv, err := convert.Convert(val, v.ty)
	if err != nil {
		d := &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail: fmt.Sprintf("%s for %q does not fit its type %s: %s. Give a value of that type.",
				what, v.name, typeexpr.TypeString(v.ty), errText(err)),
			Subject: subject,
		}
		if subject == nil {
			// No source to point at; show where the variable is declared.
			d.Subject = v.d.block.DefRange.Ptr()
		}
		l.diags = append(l.diags, d)
		v.failed = true
		return
	}
	v.value, v.set, v.failed = cv, true, false
}

// loadVarFile reads a -var-file: attributes only, name = value.
func (l *loader) loadVarFile(path string) {
	if f := l.parser.Files()[path]; f != nil {
		// Given twice (or a stack file): parsed once, its values set again.
		l.setVarFile(path, f)
		return
	}
	src, err := readInput(path)
	if err != nil {
		l.diags = append(l.diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Cannot read file",
			Detail:   fmt.Sprintf("The -var-file %s could not be read: %v. Give the path of a readable HCL (or .json) file of name = value lines.", path, err),
			Subject:  &hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos},
		})
		return
	}
	f, diags := parseSource(src, path)
	l.add(diags)
	if f == nil {
		return
	}
	l.parser.AddFile(path, f)
	if diags.HasErrors() {
		return
	}
	l.setVarFile(path, f)
}

// setVarFile sets the variables a parsed -var-file gives.
func (l *loader) setVarFile(path string, f *hcl.File) {
	attrs, diags := f.Body.JustAttributes()
	l.add(diags)
	for _, a := range sortedAttrs(attrs) {
		v := l.varByName[a.Name]
		if v == nil {
			// Var files are often shared between stacks; Terraform warns here
			// too rather than failing.
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagWarning,
				Summary:  "Value for undeclared variable",
				Detail: fmt.Sprintf("The file sets %q, but the stack declares no such variable.%s The value is ignored.",
					a.Name, suggestion(a.Name, l.variableNames(), " Did you mean %q?")),
				Subject: a.NameRange.Ptr(),
			})
			continue
		}
		val, diags := a.Expr.Value(l.literalCtx())
		l.add(diags)
		if diags.HasErrors() {
			v.failed = true
			continue
		}
		l.setVariable(v, val, a.Expr.Range().Ptr(), "The value in "+path)
	}
}
