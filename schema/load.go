package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/trustform/trustform/engine"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Options are the inputs of a load that do not come from the stack's files.
type Options struct {
	Vars     []string // "-var name=value" in the order given
	VarFiles []string // -var-file paths (HCL attribute files, or .json)
	Env      []string // environment as KEY=VALUE; TRUSTFORM_VAR_<name> sets variable <name>; nil means os.Environ()
	// Quotas are accounts' real IAM quotas by account id, read from the
	// target; accounts not listed are held to IAM's defaults.
	Quotas map[string]engine.Quotas
	// Values, when not nil, are the variables' values a saved plan recorded
	// (see LoadInputs): they override every other source.
	Values map[string]Value
}

// Load reads every *.hcl and *.hcl.json file of a stack directory (not
// recursive, sorted by name) and returns the stack's Config. The files map
// holds every parsed file by the name used in diagnostics, for
// hcl.NewDiagnosticTextWriter. When the diagnostics hold errors the Config is
// nil, unless every error is a quota (QuotaExceeded): then the Config is
// returned for its accounts and target, and must not be planned as it is.
func Load(dir string, opts Options) (*model.Config, map[string]*hcl.File, hcl.Diagnostics) {
	return loadDir(dir, opts, nil)
}

// loadDir is Load, recording the load's inputs in rec when it is not nil.
func loadDir(dir string, opts Options, rec *recorder) (*model.Config, map[string]*hcl.File, hcl.Diagnostics) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, map[string]*hcl.File{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read stack directory",
			Detail:   fmt.Sprintf("%v. Give the directory that holds the stack's *.hcl files.", err),
		}}
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".hcl") || strings.HasSuffix(name, ".hcl.json")) {
			continue
		}
		files = append(files, filepath.Join(dir, name))
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, map[string]*hcl.File{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("The directory %s holds no *.hcl or *.hcl.json files. Run trustform in a stack directory, or give its path.", dir),
		}}
	}
	return load(dir, files, opts, rec)
}

// LoadFiles is Load for an explicit list of files; the stack directory (for
// file() and the default stack name) is the directory of the first file.
func LoadFiles(files []string, opts Options) (*model.Config, map[string]*hcl.File, hcl.Diagnostics) {
	if len(files) == 0 {
		return nil, map[string]*hcl.File{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   "LoadFiles needs at least one file.",
		}}
	}
	return load(filepath.Dir(files[0]), files, opts, nil)
}

// loader holds everything one load computes. Values flow through tables
// (variables, locals, referenceable blocks) that the evaluation context is
// built from; blocks are evaluated in dependency order so that a table entry
// is filled before any expression reads it.
type loader struct {
	dir    string
	opts   Options
	parser *hclparse.Parser
	diags  hcl.Diagnostics
	funcs  map[string]function.Function

	stackName string
	stack     *decoded
	org       *decoded // the organization block
	variables []*variableDecl
	varByName map[string]*variableDecl
	locals    map[string]*localDecl
	blocks    []*blockDecl                     // every labelled block but variable and stack, in source order
	byType    map[string]map[string]*blockDecl // type → label → block
	vertices  []*vertex                        // in source order
	broken    map[hcl.Range]bool               // expressions with bad references: not evaluated

	vars      map[string]cty.Value
	localVals map[string]cty.Value
	refVals   map[string]map[string]cty.Value // block type → label → object (or map of objects)
	byARN     map[string]*refInfo             // every declared account, group, user, policy and role

	visiting []*vertex
	cfg      model.Config
}

func load(dir string, paths []string, opts Options, rec *recorder) (*model.Config, map[string]*hcl.File, hcl.Diagnostics) {
	l := &loader{
		dir:       dir,
		opts:      opts,
		parser:    hclparse.NewParser(),
		varByName: map[string]*variableDecl{},
		locals:    map[string]*localDecl{},
		byType:    map[string]map[string]*blockDecl{},
		broken:    map[hcl.Range]bool{},
		vars:      map[string]cty.Value{},
		localVals: map[string]cty.Value{},
		refVals:   map[string]map[string]cty.Value{},
		byARN:     map[string]*refInfo{},
	}
	l.funcs = functions(dir, rec)

	bodies, diags := parseFiles(l.parser, paths)
	l.diags = append(l.diags, diags...)
	if rec != nil {
		for _, p := range paths {
			if f := l.parser.Files()[p]; f != nil {
				rec.file(p, f.Bytes)
			}
		}
	}
	// A syntax error makes everything after it guesswork; report the syntax
	// errors of every file and stop.
	if l.diags.HasErrors() {
		return nil, l.parser.Files(), l.finish()
	}

	for _, body := range bodies {
		l.collect(body)
	}
	l.setStackName()
	l.loadVariables()
	if rec != nil {
		rec.values(l.vars)
	}
	l.buildGraph()
	for _, v := range l.vertices {
		if v.state == unvisited {
			l.visit(v)
		}
	}
	l.assemble()
	l.checkDuplicates()
	// Quotas and partitions are properties of the whole Config: with any
	// block missing they would be computed wrongly, and would only restate
	// the errors already found.
	if !l.diags.HasErrors() {
		l.checkLimits()
	}

	diags = l.finish()
	if _, onlyQuotas := QuotaAccounts(diags); diags.HasErrors() && !onlyQuotas {
		return nil, l.parser.Files(), diags
	}
	// With only quota errors the Config is whole, and is returned with them:
	// a caller that can read the accounts' real quotas needs its accounts
	// and target (see QuotaExceeded). It must not be planned as it is.
	cfg := l.cfg
	return &cfg, l.parser.Files(), diags
}

// collect sorts the top-level blocks of one file into declarations.
func (l *loader) collect(body hcl.Body) {
	content, diags := body.Content(rootSchema)
	l.diags = append(l.diags, diags...)
	for _, b := range content.Blocks {
		switch b.Type {
		case "locals":
			l.collectLocals(b)
		case "stack":
			d := l.decode(b, topSpecs["stack"])
			if l.stack != nil {
				l.errorf(b.DefRange, "Duplicate stack block",
					"A stack has one stack block; the first is at %s. Remove this one.", posString(l.stack.block.DefRange))
				continue
			}
			l.stack = d
		case "organization":
			d := l.decode(b, organizationSpec)
			if l.org != nil {
				l.errorf(b.DefRange, "Duplicate organization block",
					"A stack reads one organisation; the organization block is already at %s. Remove this one.", posString(l.org.block.DefRange))
				continue
			}
			l.org = d
		case "variable":
			l.collectVariable(b)
		default:
			k, _ := kindOfBlock(b.Type)
			d := l.decode(b, k.spec)
			name := b.Labels[0]
			if l.byType[b.Type] == nil {
				l.byType[b.Type] = map[string]*blockDecl{}
			}
			if first := l.byType[b.Type][name]; first != nil {
				l.errorf(b.DefRange, "Duplicate "+b.Type+" block",
					"%s %s block named %q is already declared at %s. Labels must be unique per block type: rename one of them.",
					capitalArticle(b.Type), b.Type, name, posString(first.d.block.DefRange))
				continue
			}
			if !validLabel(name) {
				l.errorf(b.LabelRanges[0], "Invalid block label",
					"%q cannot be used in references such as %s.%s. Use letters, digits, underscores and dashes, starting with a letter.",
					name, b.Type, name)
				continue
			}
			bd := &blockDecl{typ: b.Type, name: name, d: d, forEach: d.attrs["for_each"]}
			l.byType[b.Type][name] = bd
			l.blocks = append(l.blocks, bd)
		}
	}
}

var stackNameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// setStackName fixes the stack name before anything is evaluated, because
// the ARNs of owned groups contain it.
func (l *loader) setStackName() {
	if l.stack != nil {
		b := l.stack.block
		l.stackName = b.Labels[0]
		if !stackNameRe.MatchString(l.stackName) {
			l.errorf(b.LabelRanges[0], "Invalid stack name",
				"The stack name %q is used in tags, group paths and inline policy names, so it must be 1 to 32 letters, digits, underscores or dashes.",
				l.stackName)
		}
		return
	}
	l.stackName = defaultStackName(l.dir)
}

// defaultStackName is the directory's base name made to fit the stack name
// charset, for stacks without a stack block.
func defaultStackName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	var b strings.Builder
	for _, r := range filepath.Base(dir) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 32 {
		name = name[:32]
	}
	if name == "" {
		name = "stack"
	}
	return name
}

// assemble gathers the evaluated blocks into the Config in source order,
// instances of a for_each block in key order.
func (l *loader) assemble() {
	l.cfg.Stack.Name = l.stackName
	l.cfg.Stack.Dir = l.dir
	if l.cfg.Stack.Target == "" {
		l.cfg.Stack.Target = "local"
	}
	for _, b := range l.blocks {
		for _, in := range b.instances {
			if k, _ := kindOfBlock(b.typ); k.assemble != nil && in.out != nil {
				k.assemble(&l.cfg, in.out)
			}
		}
	}
}

// finish removes repeated diagnostics (an expression evaluated once per
// for_each instance fails the same way each time) and sorts the rest by
// position so that they read top to bottom.
func (l *loader) finish() hcl.Diagnostics {
	type key struct {
		sev             hcl.DiagnosticSeverity
		summary, detail string
		subject         hcl.Range
	}
	seen := map[key]bool{}
	var out hcl.Diagnostics
	for _, d := range l.diags {
		k := key{sev: d.Severity, summary: d.Summary, detail: d.Detail}
		if d.Subject != nil {
			k.subject = *d.Subject
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Subject, out[j].Subject
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		default:
			return rangeLess(*a, *b)
		}
	})
	return out
}

func rangeLess(a, b hcl.Range) bool {
	if a.Filename != b.Filename {
		return a.Filename < b.Filename
	}
	if a.Start.Byte != b.Start.Byte {
		return a.Start.Byte < b.Start.Byte
	}
	return a.End.Byte < b.End.Byte
}

func (l *loader) errorf(rng hcl.Range, summary, format string, args ...any) {
	r := rng
	l.diags = append(l.diags, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  &r,
	})
}

func (l *loader) add(diags hcl.Diagnostics) { l.diags = append(l.diags, diags...) }

// posString is a position for messages: file:line,column.
func posString(r hcl.Range) string {
	return fmt.Sprintf("%s:%d,%d", r.Filename, r.Start.Line, r.Start.Column)
}

func source(r hcl.Range) model.Source {
	return model.Source{Filename: r.Filename, Line: r.Start.Line, Column: r.Start.Column}
}

var labelRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

// validLabel reports whether a block label can be used after "type." in a
// reference: HCL identifiers, which is what a traversal can spell.
func validLabel(s string) bool { return labelRe.MatchString(s) }
