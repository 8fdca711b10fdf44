package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trustform/trustform/internal/regularfile"

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
	src, err := readInput(path)
	if err != nil {
		return parsed{diags: hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read file",
			Subject:  &hcl.Range{Filename: path, Start: hcl.InitialPos, End: hcl.InitialPos},
			Detail:   fmt.Sprintf("%s. Make the file readable, or move it out of the stack directory: every *.hcl and *.hcl.json there is part of the stack.", err),
		}}}
	}
	f, diags := parseSource(src, path)
	return parsed{file: f, diags: diags}
}

// parseSource parses a file's text, native syntax or JSON by its name, after
// checkText. On a failed check the file is returned with no body content, so
// that diagnostics can still show its source.
func parseSource(src []byte, path string) (*hcl.File, hcl.Diagnostics) {
	isJSON := strings.HasSuffix(path, ".json")
	if diags := checkText(src, path, isJSON); diags.HasErrors() {
		return &hcl.File{Body: hcl.EmptyBody(), Bytes: src}, diags
	}
	var f *hcl.File
	var diags hcl.Diagnostics
	if isJSON {
		f, diags = hcljson.Parse(src, path)
	} else {
		f, diags = hclsyntax.ParseConfig(src, path, hcl.Pos{Byte: 0, Line: 1, Column: 1})
		if diags.HasErrors() {
			diags = afterParse(src, path, diags)
		}
	}
	return f, diags
}

// Limits on what the loader reads. A stack file or -var-file larger than
// maxInputSize is refused before it is read: at 10 MiB a single file holds
// some 40,000 IAM objects (the generated 10,000-object benchmark stack is
// 2.4 MB over 21 files), and no hand-written file comes near it. Nesting
// deeper than maxNesting brackets, braces, parentheses or template
// interpolations is refused before the text reaches the HCL parser, which
// parses by recursion without a bound of its own: 70,000 levels overflow
// the stack and 40,000 take 860 MB. Real stacks nest a handful of levels (a
// policy document in jsonencode is about eight deep); 256 is far beyond any
// of them, and at 256 levels parsing and evaluating cost nothing.
const (
	maxInputSize = 10 << 20
	maxNesting   = 256
)

// readInput reads a file the loader was given, refusing what is not a
// regular file (a named pipe would block forever, a device such as
// /dev/zero never ends) and what is larger than maxInputSize: see
// internal/regularfile.
func readInput(path string) ([]byte, error) { return regularfile.Read(path, maxInputSize) }

// checkText reports what would make the HCL parser crash or answer with a
// generic error: a byte order mark in JSON (the native syntax skips one),
// nesting deeper than maxNesting. It runs
// before the parser sees the text. isJSON selects HCL's JSON syntax.
func checkText(src []byte, filename string, isJSON bool) hcl.Diagnostics {
	if isJSON && bytes.HasPrefix(src, []byte("\uFEFF")) {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Byte order mark at the start of the file",
			Detail:   "The file starts with the bytes EF BB BF, a UTF-8 byte order mark, which JSON does not allow. Save the file as UTF-8 without a byte order mark (in most editors, \"UTF-8\" rather than \"UTF-8 with BOM\").",
			Subject:  &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.Pos{Line: 1, Column: 2, Byte: 3}},
		}}
	}
	var sc scan
	if isJSON {
		sc = scanJSON(src)
	} else {
		sc = scanHCL(src, false)
	}
	if sc.deep >= 0 {
		return hcl.Diagnostics{nestingError(src, filename, sc.deep)}
	}
	return nil
}

func nestingError(src []byte, filename string, at int) *hcl.Diagnostic {
	p := posAt(src, at)
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Nesting too deep",
		Detail:   fmt.Sprintf("This bracket opens level %d of nested brackets, braces, parentheses and interpolations; trustform reads at most %d. Flatten the value, for example by naming its parts in locals.", maxNesting+1, maxNesting),
		Subject:  &hcl.Range{Filename: filename, Start: p, End: hcl.Pos{Line: p.Line, Column: p.Column + 1, Byte: p.Byte + 1}},
	}
}

// posAt is the position of byte offset at in src, its column counted in
// characters as HCL counts them.
func posAt(src []byte, at int) hcl.Pos {
	line := 1 + bytes.Count(src[:at], []byte("\n"))
	start := bytes.LastIndexByte(src[:at], '\n') + 1
	return hcl.Pos{Line: line, Column: 1 + utf8.RuneCount(src[start:at]), Byte: at}
}

// afterParse improves two of the parser's messages that say neither what is
// wrong nor what to do: an unterminated heredoc, which the parser reports at
// the end of the file instead of where it opens, and lines ended by a
// carriage return alone, which it reports as "Invalid character". It only
// runs when the parse failed.
func afterParse(src []byte, filename string, diags hcl.Diagnostics) hcl.Diagnostics {
	if i := loneCR(src); i >= 0 {
		p := posAt(src, i)
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Carriage return line endings",
			Detail:   "This file ends its lines with a carriage return alone (old Mac OS line endings), which HCL does not read as a line break. Convert it to LF line endings (CRLF works too), for example with: tr '\\r' '\\n' < FILE > FILE.new && mv FILE.new FILE.",
			Subject:  &hcl.Range{Filename: filename, Start: p, End: hcl.Pos{Line: p.Line, Column: p.Column + 1, Byte: p.Byte + 1}},
		}}
	}
	sc := scanHCL(src, false)
	if sc.heredoc < 0 {
		return diags
	}
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Subject != nil && d.Subject.Start.Byte < sc.heredoc {
			out = append(out, d)
		}
	}
	p := posAt(src, sc.heredoc)
	end := posAt(src, sc.heredoc+2+len(sc.marker))
	return append(out, &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Unterminated heredoc",
		Detail:   fmt.Sprintf("The heredoc that starts here is never closed, so the rest of the file is read as its text. End it with a line that holds only %s (spaces before it are allowed).", sc.marker),
		Subject:  &hcl.Range{Filename: filename, Start: p, End: end},
	})
}

// loneCR is the offset of the first carriage return not followed by a line
// feed, or -1.
func loneCR(src []byte) int {
	for i := bytes.IndexByte(src, '\r'); i >= 0; {
		if i+1 >= len(src) || src[i+1] != '\n' {
			return i
		}
		j := bytes.IndexByte(src[i+1:], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return -1
}

// scan is what scanHCL and scanJSON found: the offset of the first bracket
// deeper than maxNesting (or -1), and for HCL the offset of a heredoc still
// open at the end of the text (or -1) with its marker.
type scan struct {
	deep     int
	heredoc  int
	marker   string
	maxDepth int
}

// scanJSON measures the nesting of JSON text, in one pass outside strings.
// Strings that hold template sequences are parsed by HCL as templates, so
// their own nesting counts too.
func scanJSON(src []byte) scan {
	depth := 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '"':
			start := i
			templ := false
			for i++; i < len(src) && src[i] != '"'; i++ {
				switch src[i] {
				case '\\':
					i++
				case '{':
					templ = templ || src[i-1] == '$' || src[i-1] == '%'
				}
			}
			if !templ || i >= len(src) {
				continue
			}
			var s string
			if json.Unmarshal(src[start:i+1], &s) != nil {
				continue
			}
			if sc := scanHCL([]byte(s), true); sc.deep >= 0 || sc.maxDepth+depth > maxNesting {
				return scan{deep: start, heredoc: -1}
			}
		case '{', '[':
			depth++
			if depth > maxNesting {
				return scan{deep: i, heredoc: -1}
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return scan{deep: -1, heredoc: -1}
}

// scanHCL measures the nesting of HCL native syntax in one pass, following
// quoted strings, heredocs, comments and the interpolations in templates as
// HCL's scanner does: only brackets in code count, and each ${ or %{ counts
// as a level. With template, src is the text of a template (a string's
// content) rather than a file.
func scanHCL(src []byte, template bool) scan {
	type frame struct {
		kind   byte // '{', '[', '(' or '$' (an interpolation): code; '"' a string; 'h' a heredoc; 't' a template
		pos    int
		marker string
	}
	var stack []frame
	depth := 0
	out := scan{deep: -1, heredoc: -1}
	push := func(f frame) bool {
		stack = append(stack, f)
		if f.kind == '{' || f.kind == '[' || f.kind == '(' || f.kind == '$' {
			depth++
			out.maxDepth = max(out.maxDepth, depth)
			if depth > maxNesting {
				out.deep = f.pos
				return false
			}
		}
		return true
	}
	pop := func() {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if f.kind == '{' || f.kind == '[' || f.kind == '(' || f.kind == '$' {
			depth--
		}
	}
	if template {
		stack = append(stack, frame{kind: 't'})
	}
	lineStart := true
	for i := 0; i < len(src); {
		c := src[i]
		top := byte(0)
		if len(stack) > 0 {
			top = stack[len(stack)-1].kind
		}
		switch top {
		case '"', 'h', 't':
			if top == 'h' && lineStart {
				j := i
				for j < len(src) && (src[j] == ' ' || src[j] == '\t') {
					j++
				}
				m := stack[len(stack)-1].marker
				if rest := src[j:]; bytes.HasPrefix(rest, []byte(m)) {
					k := j + len(m)
					if k == len(src) || src[k] == '\n' || (src[k] == '\r' && k+1 < len(src) && src[k+1] == '\n') {
						pop()
						i = k
						lineStart = false
						continue
					}
				}
			}
			lineStart = false
			switch {
			case c == '\\' && top == '"':
				i += 2
				continue
			case c == '"' && top == '"':
				pop()
			case c == '\n':
				lineStart = true
				if top == '"' {
					pop() // a quoted string ends at the line's end, as HCL's scanner ends it
				}
			case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
				i += 3 // $${ and %%{ are literal
				continue
			case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
				if !push(frame{kind: '$', pos: i}) {
					return out
				}
				i += 2
				continue
			}
			i++
			continue
		}
		// Code.
		switch {
		case c == '#' || (c == '/' && i+1 < len(src) && src[i+1] == '/'):
			if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
				i += j // the newline itself is code
			} else {
				i = len(src)
			}
			continue
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			if j := bytes.Index(src[i+2:], []byte("*/")); j >= 0 {
				i += 2 + j + 2
			} else {
				i = len(src)
			}
			continue
		case c == '"':
			push(frame{kind: '"', pos: i})
		case c == '<' && i+1 < len(src) && src[i+1] == '<':
			j := i + 2
			if j < len(src) && src[j] == '-' {
				j++
			}
			k := j
			for k < len(src) && (src[k] == '_' || src[k] == '-' || src[k] >= 'a' && src[k] <= 'z' || src[k] >= 'A' && src[k] <= 'Z' || k > j && src[k] >= '0' && src[k] <= '9') {
				k++
			}
			nl := k
			if nl < len(src) && src[nl] == '\r' {
				nl++
			}
			if k > j && nl < len(src) && src[nl] == '\n' {
				push(frame{kind: 'h', pos: i, marker: string(src[j:k])})
				i = nl + 1
				lineStart = true
				continue
			}
		case c == '{' || c == '[' || c == '(':
			if !push(frame{kind: c, pos: i}) {
				return out
			}
		case c == '}' || c == ']' || c == ')':
			if top != 0 {
				pop()
			}
		}
		i++
	}
	for _, f := range stack {
		if f.kind == 'h' {
			out.heredoc, out.marker = f.pos, f.marker
			break
		}
	}
	return out
}
