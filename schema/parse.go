package schema

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// parsed is one file's parse: the file (nil when it could not be read) and
// its diagnostics.
type parsed struct {
	file  *hcl.File
	diags hcl.Diagnostics
}

// parseFiles parses the stack's files side by side, as many at once as
// there are processors, and records them in parser in the order given.
// Lexing is most of the cost of loading a large stack and every file's is
// independent of the others'; an organisation's stack spread over a file per
// account or team loads in a fraction of the time of one read after another.
// The bodies and diagnostics come back in the order of paths, whatever order
// the parses finish in, so that errors read the same on every run. A path
// given twice is parsed once and its body returned twice, as
// hclparse.Parser would.
func parseFiles(parser *hclparse.Parser, paths []string) ([]hcl.Body, hcl.Diagnostics) {
	var unique []string
	index := map[string]int{}
	for _, p := range paths {
		if _, seen := index[p]; !seen {
			index[p] = len(unique)
			unique = append(unique, p)
		}
	}
	results := make([]parsed, len(unique))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(unique)) {
		wg.Go(func() {
			for i := range work {
				results[i] = parseFile(unique[i])
			}
		})
	}
	for i := range unique {
		work <- i
	}
	close(work)
	wg.Wait()

	var diags hcl.Diagnostics
	for i, p := range unique {
		diags = append(diags, results[i].diags...)
		if results[i].file != nil {
			parser.AddFile(p, results[i].file)
		}
	}
	var bodies []hcl.Body
	for _, p := range paths {
		if f := results[index[p]].file; f != nil {
			bodies = append(bodies, f.Body)
		}
	}
	return bodies, diags
}

// parseFile reads and parses one file, native syntax or JSON by its name.
func parseFile(path string) parsed {
	src, err := os.ReadFile(path)
	if err != nil {
		return parsed{diags: hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read file",
			Subject:  &hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos},
			Detail:   fmt.Sprintf("%v. Make the file readable, or move it out of the stack directory: every *.hcl and *.hcl.json there is part of the stack.", err),
		}}}
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if strings.HasSuffix(path, ".json") {
		f, diags = hcljson.Parse(src, path)
	} else {
		f, diags = hclsyntax.ParseConfig(src, path, hcl.Pos{Byte: 0, Line: 1, Column: 1})
	}
	return parsed{file: f, diags: diags}
}
