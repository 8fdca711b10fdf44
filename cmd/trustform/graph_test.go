package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/cmd/trustform/views"
	"github.com/trustform/trustform/schema"
)

// goldenGraphs are the stacks whose graphs are kept as golden files in
// testdata/graphs, as NAME.dot and NAME.mmd.
func goldenGraphs(t *testing.T) []struct{ name, dir string } {
	return []struct{ name, dir string }{
		{"dev-prod", copyExample(t, "dev-prod")},
		{"conditions", conditionsStack},
	}
}

// awkwardStack has the characters IAM allows in paths and names that DOT or
// Mermaid would read as syntax: quotes, "#", "<", ">", "&", "\\", "|".
const awkwardStack = `
stack "awkward" {}

account "a" {
  id = "123456789012"
}

user "odd" {
  account = account.a
  name    = "o+d=d,.@-"
  path    = "/q\"h#l<g>a&b\\s|p/"
}

role "odd" {
  account = account.a
  name    = "end"
  path    = "/x]y}z)/"
  trust {
    principals  = [user.odd]
    require_mfa = true
  }
}

grant "odd" {
  to    = [user.odd]
  roles = [role.odd]
}
`

func awkwardDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "awkward")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte(awkwardStack), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// graphStacks are the stacks every rendering check runs on: the golden ones
// and the awkward one.
func graphStacks(t *testing.T) []struct{ name, dir string } {
	return append(goldenGraphs(t), struct{ name, dir string }{"awkward", awkwardDir(t)})
}

var graphFormats = []struct{ format, ext string }{{"dot", ".dot"}, {"mermaid", ".mmd"}}

func TestGraphGolden(t *testing.T) {
	for _, s := range goldenGraphs(t) {
		for _, f := range graphFormats {
			t.Run(s.name+f.ext, func(t *testing.T) {
				r := mustRunCommand(t, graphCommand, 0, "graph", "-format", f.format, s.dir)
				golden(t, filepath.Join("..", "..", "testdata", "graphs", s.name+f.ext), r.stdout)
			})
		}
	}
}

func TestGraphDefaultFormatIsDOT(t *testing.T) {
	dir := copyExample(t, "dev-prod")
	def := mustRunCommand(t, graphCommand, 0, "graph", dir).stdout
	dot := mustRunCommand(t, graphCommand, 0, "graph", dir, "--format", "dot").stdout
	if def != dot || !strings.Contains(def, "digraph \"devprod\" {") {
		t.Fatalf("graph without -format is not the DOT graph:\n%s", def)
	}
}

func TestGraphRejectsUnknownFormat(t *testing.T) {
	r := runCommand(t, graphCommand, "graph", "-format", "svg", conditionsStack)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, `-format must be dot or mermaid, not "svg"`) {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// The order of blocks in the files must not change the graph: the files are
// read in name order, so moving a block to another file reorders the
// configuration's lists.
func TestGraphAndKitIgnoreDeclarationOrder(t *testing.T) {
	for _, s := range graphStacks(t) {
		t.Run(s.name, func(t *testing.T) {
			load := func() *model.Config {
				cfg, _, diags := schema.Load(s.dir, schema.Options{})
				if diags.HasErrors() {
					t.Fatal(diags)
				}
				return cfg
			}
			render := func(cfg *model.Config) string {
				g, err := views.BuildGraph(cfg)
				if err != nil {
					t.Fatal(err)
				}
				kit, err := views.BuildAccessKit(cfg)
				if err != nil {
					t.Fatal(err)
				}
				var b strings.Builder
				views.AccessKitText(&b, kit, views.Colors{})
				return g.DOT() + g.Mermaid() + b.String()
			}
			want := render(load())
			cfg := load()
			slices.Reverse(cfg.Accounts)
			slices.Reverse(cfg.Groups)
			slices.Reverse(cfg.Users)
			slices.Reverse(cfg.Roles)
			slices.Reverse(cfg.Grants)
			for _, g := range cfg.Grants {
				slices.Reverse(g.To)
				slices.Reverse(g.Roles)
			}
			if got := render(cfg); got != want {
				t.Fatalf("reordered blocks render differently:\n%s\n--- want\n%s", got, want)
			}
		})
	}
}

func TestGraphDOTRendersWithGraphviz(t *testing.T) {
	dot, err := exec.LookPath("dot")
	if err != nil {
		requireTool(t, "Graphviz's dot", "apt-get install -y --no-install-recommends graphviz")
	}
	for _, s := range graphStacks(t) {
		t.Run(s.name, func(t *testing.T) {
			src := mustRunCommand(t, graphCommand, 0, "graph", "-format", "dot", s.dir).stdout
			cmd := exec.Command(dot, "-Tsvg")
			cmd.Stdin = strings.NewReader(src)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			// Graphviz reports syntax errors and also warnings (an unknown
			// attribute or shape) on stderr: both mean a broken graph.
			if err != nil || stderr.Len() > 0 || !strings.Contains(string(out), "<svg") {
				t.Fatalf("dot -Tsvg: %v\n%s\n--- graph\n%s", err, stderr.String(), src)
			}
		})
	}
}

// Lines of the Mermaid output, as the renderer writes them.
var (
	mermaidNodeLine = regexp.MustCompile(`^\s*([A-Za-z]\w*)(\[\[|\(\[|\{\{|\[/|\(\(|>|\(|\[)"[^"]*"(\]\]|\]\)|\}\}|\\\]|\)\)|\]|\))$`)
	mermaidEdgeLine = regexp.MustCompile(`^\s*([A-Za-z]\w*) (-->|-\.->)\|"[^"]*"\| ([A-Za-z]\w*)$`)
	mermaidSubgraph = regexp.MustCompile(`^\s*subgraph ([A-Za-z]\w*)\["[^"]*"\]$`)
	mermaidLinkLine = regexp.MustCompile(`^\s*linkStyle ([\d,]+) [^;]+$`)
)

// checkMermaid checks the structure of a flowchart: every line one of the
// forms the renderer writes, subgraphs closed and not nested, every edge
// between declared nodes, and linkStyle naming every edge exactly once
// (Mermaid counts edges from 0 in the order written, and an index past the
// last edge breaks the rendering).
func checkMermaid(t *testing.T, src string) {
	t.Helper()
	nodes := map[string]bool{}
	var edges [][2]string
	styled := map[int]int{}
	inSubgraph, header := false, false
	for i, line := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
		fail := func(why string) { t.Fatalf("line %d %q: %s\n%s", i+1, line, why, src) }
		switch {
		case strings.HasPrefix(line, "%%"):
			if header {
				fail("comment after the header")
			}
		case line == "flowchart LR":
			if header {
				fail("second header")
			}
			header = true
		case !header:
			fail("before the flowchart LR header")
		case mermaidSubgraph.MatchString(line):
			if inSubgraph {
				fail("nested subgraph")
			}
			inSubgraph = true
			nodes[mermaidSubgraph.FindStringSubmatch(line)[1]] = true
		case strings.TrimSpace(line) == "end":
			if !inSubgraph {
				fail("end without subgraph")
			}
			inSubgraph = false
		case mermaidNodeLine.MatchString(line):
			id := mermaidNodeLine.FindStringSubmatch(line)[1]
			if nodes[id] {
				fail("node declared twice")
			}
			nodes[id] = true
		case mermaidEdgeLine.MatchString(line):
			m := mermaidEdgeLine.FindStringSubmatch(line)
			if !nodes[m[1]] || !nodes[m[3]] {
				fail("edge to an undeclared node")
			}
			edges = append(edges, [2]string{m[1], m[3]})
		case mermaidLinkLine.MatchString(line):
			for _, n := range strings.Split(mermaidLinkLine.FindStringSubmatch(line)[1], ",") {
				k, _ := strconv.Atoi(n)
				styled[k]++
			}
		default:
			fail("not a line the renderer writes")
		}
	}
	if inSubgraph || !header {
		t.Fatalf("unclosed subgraph or no header:\n%s", src)
	}
	for k, n := range styled {
		if k >= len(edges) || n != 1 {
			t.Fatalf("linkStyle names edge %d %d times; there are %d edges:\n%s", k, n, len(edges), src)
		}
	}
	if len(styled) != len(edges) {
		t.Fatalf("linkStyle styles %d of %d edges:\n%s", len(styled), len(edges), src)
	}
}

func TestGraphMermaidStructure(t *testing.T) {
	for _, s := range graphStacks(t) {
		t.Run(s.name, func(t *testing.T) {
			checkMermaid(t, mustRunCommand(t, graphCommand, 0, "graph", "-format", "mermaid", s.dir).stdout)
		})
	}
}

// mermaidParse parses a diagram with Mermaid's own parser (mermaid.parse),
// in Node with jsdom standing in for the browser that Mermaid expects. It
// reads the diagram from standard input.
const mermaidParse = `
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
let text = '';
for await (const chunk of process.stdin) text += chunk;
try {
  await mermaid.parse(text);
} catch (e) {
  console.error(String(e.message || e));
  process.exit(1);
}
`

// TestGraphMermaidParses runs Mermaid's parser when TRUSTFORM_MERMAID_DIR
// names a directory where `npm install mermaid@11 jsdom` was run: the
// packages come from the npm registry, which a Go test does not reach by
// itself.
func TestGraphMermaidParses(t *testing.T) {
	dir := os.Getenv("TRUSTFORM_MERMAID_DIR")
	node, err := exec.LookPath("node")
	if dir == "" || err != nil {
		requireTool(t, "Mermaid's parser", `set TRUSTFORM_MERMAID_DIR to a directory where "npm install mermaid@11 jsdom" was run, with node on PATH`)
	}
	for _, s := range graphStacks(t) {
		t.Run(s.name, func(t *testing.T) {
			src := mustRunCommand(t, graphCommand, 0, "graph", "-format", "mermaid", s.dir).stdout
			// An ES module given with -e resolves its imports from the
			// working directory, so node_modules there is found.
			cmd := exec.Command(node, "--input-type=module", "-e", mermaidParse)
			cmd.Dir = dir
			cmd.Stdin = strings.NewReader(src)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("mermaid.parse: %v\n%s\n--- diagram\n%s", err, out, src)
			}
		})
	}
}
