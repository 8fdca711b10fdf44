package schema_test

import (
	"bufio"
	"bytes"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/trustform/trustform/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/invalid")

// renderDiags is what the goldens hold: the diagnostics exactly as the CLI
// prints them, wrapped at 78 columns.
func renderDiags(diags hcl.Diagnostics, files map[string]*hcl.File) string {
	var buf bytes.Buffer
	if err := schema.WriteDiagnostics(&buf, files, diags, 78, false); err != nil {
		panic(err)
	}
	return buf.String()
}

// TestInvalidGolden loads each file of testdata/invalid on its own and
// compares its diagnostics with the .golden next to it. Run with -update to
// rewrite the goldens after a deliberate change, and read the diff.
func TestInvalidGolden(t *testing.T) {
	// Paths relative to the repository root keep the goldens independent of
	// where the repository is checked out.
	t.Chdir("..")
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.hcl"))
	jsonFiles, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.hcl.json"))
	files = append(files, jsonFiles...)
	if err != nil || len(files) == 0 {
		t.Fatalf("no invalid inputs found: %v", err)
	}
	for _, file := range files {
		base := strings.TrimSuffix(strings.TrimSuffix(file, ".json"), ".hcl")
		name := filepath.Base(base)
		t.Run(name, func(t *testing.T) {
			cfg, fileMap, diags := schema.LoadFiles([]string{file}, schema.Options{Env: []string{}})
			if !diags.HasErrors() {
				t.Fatalf("no error diagnostics for %s", file)
			}
			if _, onlyQuotas := schema.QuotaAccounts(diags); (cfg != nil) != onlyQuotas {
				t.Errorf("Config returned: %v; want it only when every error is a quota", cfg != nil)
			}
			for _, d := range diags {
				if d.Severity == hcl.DiagError && d.Subject == nil {
					t.Errorf("error %q has no source range", d.Summary)
				}
			}
			got := renderDiags(diags, fileMap)
			if !strings.Contains(got, file+":") {
				t.Errorf("rendered diagnostics do not name %s:line,column", file)
			}
			golden := base + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./schema -run TestInvalidGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ from %s (rerun with -update if the change is deliberate)\n--- got\n%s\n--- want\n%s", golden, got, want)
			}
		})
	}
}

// notFromAStackFile are the summaries that no stack file can produce on its
// own, so that testdata/invalid cannot hold them: they come from the
// arguments of a load (the directory, -var, -var-file), not from the files.
var notFromAStackFile = map[string]string{
	"Cannot read stack directory":   "Load of a directory that cannot be read",
	"No configuration files":        "Load of a directory without *.hcl files, or LoadFiles of no file",
	"Invalid -var option":           "a -var option without name=value",
	"Value for undeclared variable": "a -var option or a -var-file setting a variable the stack does not declare",
}

// TestEveryDiagnosticHasAGolden checks that testdata/invalid shows every
// diagnostic the schema package can give. It reads the package's source with
// go/parser and collects every summary: the summary argument of each call to
// a helper that makes a diagnostic (errorf, quotaError, and any helper that
// passes one of its parameters on as a Summary), each Summary field of a
// composite literal, and each assignment to a Summary field. A summary built
// by concatenation ("Duplicate "+b.Type+" block") is a pattern in which each
// computed part matches any text: it is covered when some golden shows a
// summary of that shape ("Duplicate account block"). Each summary must
// appear in the summary lines of some testdata/invalid/*.golden. The check
// is by summary, not by the code that gives it: when several places give
// one summary, one golden covers them all.
func TestEveryDiagnosticHasAGolden(t *testing.T) {
	sites := diagnosticSummaries(t)
	covered := goldenSummaries(t)

	texts := map[string]bool{}
	missing := map[string][]string{} // summary → where it is made
	for _, s := range sites {
		texts[s.text] = true
		if _, ok := notFromAStackFile[s.text]; ok {
			continue
		}
		found := false
		for c := range covered {
			found = found || s.match.MatchString(c)
		}
		if !found {
			missing[s.text] = append(missing[s.text], s.pos)
		}
	}
	for text := range notFromAStackFile {
		if !texts[text] {
			t.Errorf("notFromAStackFile lists %q, which schema no longer gives: remove it", text)
		}
	}
	for _, text := range slices.Sorted(maps.Keys(missing)) {
		t.Errorf("no testdata/invalid/*.golden shows %q (made at %s): add a NAME.hcl that triggers it, then run go test ./schema -run TestInvalidGolden -update",
			text, strings.Join(missing[text], ", "))
	}
}

// summarySite is one place in schema's source that makes a diagnostic.
type summarySite struct {
	pos   string         // file:line
	text  string         // the summary as written, with … for each computed part
	match *regexp.Regexp // the summaries it can give
}

// diagnosticSummaries parses schema's non-test source files and returns
// every place that gives a diagnostic its summary.
func diagnosticSummaries(t *testing.T) []summarySite {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatal("no source files of package schema found")
	}

	// A helper is a function one of whose parameters becomes a
	// diagnostic's summary: it sets Summary to it, or passes it on as the
	// summary of another helper. Helpers are known by name (methods of
	// different types with one name must agree on the position).
	helpers := map[string]int{}
	for changed := true; changed; {
		changed = false
		eachFunc(files, func(fd *ast.FuncDecl, params map[string]int) {
			summaryParam := func(e ast.Expr) {
				id, ok := e.(*ast.Ident)
				if !ok {
					return
				}
				i, ok := params[id.Name]
				if !ok {
					return
				}
				if j, seen := helpers[fd.Name.Name]; seen && j != i {
					t.Fatalf("%s: two helpers named %s take the summary as argument %d and %d; rename one",
						fset.Position(fd.Pos()), fd.Name.Name, j, i)
				} else if !seen {
					helpers[fd.Name.Name] = i
					changed = true
				}
			}
			forEachSummary(fd.Body, helpers, summaryParam)
		})
	}
	if len(helpers) == 0 {
		t.Fatal("found no helper that makes diagnostics (such as errorf): has the loader changed how it reports?")
	}

	var sites []summarySite
	collect := func(n ast.Node, params map[string]int) {
		forEachSummary(n, helpers, func(e ast.Expr) {
			if id, ok := e.(*ast.Ident); ok {
				if _, ok := params[id.Name]; ok {
					return // a helper passing its own summary on
				}
			}
			pos := fset.Position(e.Pos())
			where := filepath.Base(pos.Filename) + ":" + strconv.Itoa(pos.Line)
			var text, re strings.Builder
			literal := false
			for _, p := range summaryParts(e) {
				if p == nil {
					text.WriteString("…")
					re.WriteString(".+")
					continue
				}
				literal = true
				text.WriteString(*p)
				re.WriteString(regexp.QuoteMeta(*p))
			}
			if !literal {
				t.Errorf("%s: the summary %s is not built from string literals, so no golden can be matched to it: write it as a literal, or as literals joined with +",
					where, types.ExprString(e))
				return
			}
			sites = append(sites, summarySite{pos: where, text: text.String(), match: regexp.MustCompile("^" + re.String() + "$")})
		})
	}
	eachFunc(files, func(fd *ast.FuncDecl, params map[string]int) { collect(fd.Body, params) })
	// Package-level declarations too (var x = hcl.Diagnostic{...}).
	for _, f := range files {
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok {
				collect(gd, nil)
			}
		}
	}
	if len(sites) == 0 {
		t.Fatal("found no diagnostic summary in package schema")
	}
	return sites
}

// eachFunc calls fn for every function declaration with a body, with the
// positions of its parameters by name.
func eachFunc(files []*ast.File, fn func(fd *ast.FuncDecl, params map[string]int)) {
	for _, f := range files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			params := map[string]int{}
			i := 0
			for _, field := range fd.Type.Params.List {
				if len(field.Names) == 0 {
					i++
				}
				for _, n := range field.Names {
					params[n.Name] = i
					i++
				}
			}
			fn(fd, params)
		}
	}
}

// forEachSummary calls fn with every expression under n that becomes a
// diagnostic's summary: a Summary field of a composite literal, an
// assignment to a Summary field, or the summary argument of a helper.
func forEachSummary(n ast.Node, helpers map[string]int, fn func(ast.Expr)) {
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CompositeLit:
			for _, e := range n.Elts {
				if kv, ok := e.(*ast.KeyValueExpr); ok {
					if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Summary" {
						fn(kv.Value)
					}
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if sel, ok := lhs.(*ast.SelectorExpr); ok && sel.Sel.Name == "Summary" && i < len(n.Rhs) && n.Tok == token.ASSIGN {
					fn(n.Rhs[i])
				}
			}
		case *ast.CallExpr:
			var name string
			switch f := n.Fun.(type) {
			case *ast.Ident:
				name = f.Name
			case *ast.SelectorExpr:
				name = f.Sel.Name
			}
			if i, ok := helpers[name]; ok && i < len(n.Args) {
				fn(n.Args[i])
			}
		}
		return true
	})
}

// summaryParts splits a summary expression into its string literals and,
// as nil, the parts computed at run time.
func summaryParts(e ast.Expr) []*string {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return summaryParts(e.X)
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			return joinParts(summaryParts(e.X), summaryParts(e.Y))
		}
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			if s, err := strconv.Unquote(e.Value); err == nil {
				return []*string{&s}
			}
		}
	}
	return []*string{nil}
}

// joinParts concatenates two part lists, merging adjacent literals and
// adjacent computed parts.
func joinParts(a, b []*string) []*string {
	if len(a) == 0 || len(b) == 0 {
		return append(a, b...)
	}
	last, first := a[len(a)-1], b[0]
	switch {
	case last == nil && first == nil:
		return append(a, b[1:]...)
	case last != nil && first != nil:
		s := *last + *first
		out := append(append([]*string{}, a[:len(a)-1]...), &s)
		return append(out, b[1:]...)
	}
	return append(a, b...)
}

// goldenSummaries returns the summaries shown by testdata/invalid/*.golden:
// the "file:line:col: error: Summary" lines that open each golden.
func goldenSummaries(t *testing.T) map[string]bool {
	t.Helper()
	goldens, err := filepath.Glob(filepath.Join("..", "testdata", "invalid", "*.golden"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no goldens found: %v", err)
	}
	line := regexp.MustCompile(`^\S+: (?:error|warning): (.+)$`)
	out := map[string]bool{}
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() && sc.Text() != "" {
			if m := line.FindStringSubmatch(sc.Text()); m != nil {
				out[m[1]] = true
			}
		}
	}
	return out
}
