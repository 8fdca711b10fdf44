package schema

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// WriteDiagnostics prints diagnostics for people: first one line per
// diagnostic in the file:line:col form editors and CI logs link to, then each
// in full with its source snippet and what to do, in the form of hcl's own
// text writer. width wraps the details (0 for no wrapping).
//
// The output is byte for byte what hcl.NewDiagnosticTextWriter prints, but
// in time linear in the number of diagnostics: hcl's writer scans the whole
// file, line by line and grapheme by grapheme, for every diagnostic's
// snippet, and walks every top-level block for its "in role ..." context, so
// that 1,000 invalid blocks took a minute to print. Here each file is indexed
// once (its line starts and its blocks), and each snippet reads only its own
// lines.
func WriteDiagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, width uint, color bool) error {
	if len(diags) == 0 {
		return nil
	}
	for _, d := range diags {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		pos := "-"
		if d.Subject != nil {
			pos = fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		if _, err := fmt.Fprintf(w, "%s: %s: %s\n", pos, sev, d.Summary); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return err
	}
	dw := &diagWriter{files: files, index: map[string]*fileIndex{}, width: width, color: color}
	var buf bytes.Buffer
	for _, d := range diags {
		buf.Reset()
		if err := dw.write(&buf, d); err != nil {
			return err
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write failed: %w", err)
		}
	}
	return nil
}

// diagWriter renders diagnostics with per-file indexes built on first use.
type diagWriter struct {
	files map[string]*hcl.File
	index map[string]*fileIndex
	width uint
	color bool
}

// write renders one diagnostic. hcl's writer, given no source files, prints
// everything but the snippet: in its place, the line "(source code not
// available)". That line is replaced with the snippet printed from the index;
// should hcl ever print something else there, its own writer (with the
// files) is used for that diagnostic, slow but right.
func (dw *diagWriter) write(buf *bytes.Buffer, d *hcl.Diagnostic) error {
	if d == nil {
		return hcl.NewDiagnosticTextWriter(buf, dw.files, dw.width, dw.color).WriteDiagnostic(d)
	}
	var file *hcl.File
	if d.Subject != nil {
		file = dw.files[d.Subject.Filename]
	}
	if file == nil || file.Bytes == nil {
		return hcl.NewDiagnosticTextWriter(buf, dw.files, dw.width, dw.color).WriteDiagnostic(d)
	}
	var out bytes.Buffer
	if err := hcl.NewDiagnosticTextWriter(&out, nil, dw.width, dw.color).WriteDiagnostic(d); err != nil {
		return err
	}
	head := dw.header(d)
	hole := fmt.Sprintf("  on %s line %d:\n  (source code not available)\n\n", d.Subject.Filename, d.Subject.Start.Line)
	rendered := out.Bytes()
	if !bytes.HasPrefix(rendered, []byte(head)) || !bytes.HasPrefix(rendered[len(head):], []byte(hole)) {
		return hcl.NewDiagnosticTextWriter(buf, dw.files, dw.width, dw.color).WriteDiagnostic(d)
	}
	buf.Write(rendered[:len(head)])
	dw.snippet(buf, d, file)
	buf.Write(rendered[len(head)+len(hole):])
	return nil
}

// header is the first line of hcl's rendering of d, and the blank line after.
func (dw *diagWriter) header(d *hcl.Diagnostic) string {
	var colorCode, resetCode string
	if dw.color {
		switch d.Severity {
		case hcl.DiagError:
			colorCode = "\x1b[31m"
		case hcl.DiagWarning:
			colorCode = "\x1b[33m"
		}
		resetCode = "\x1b[0m"
	}
	sev := "???????"
	switch d.Severity {
	case hcl.DiagError:
		sev = "Error"
	case hcl.DiagWarning:
		sev = "Warning"
	}
	return fmt.Sprintf("%s%s%s: %s\n\n", colorCode, sev, resetCode, d.Summary)
}

// snippet prints the "on FILE line N, in BLOCK:" line and the source lines
// of the subject (and context), as hcl's writer does.
func (dw *diagWriter) snippet(buf *bytes.Buffer, d *hcl.Diagnostic, file *hcl.File) {
	highlightCode, resetCode := "", ""
	if dw.color {
		highlightCode, resetCode = "\x1b[1;4m", "\x1b[0m"
	}
	snipRange := *d.Subject
	highlightRange := snipRange
	if d.Context != nil {
		snipRange = hcl.RangeOver(snipRange, *d.Context)
	}
	if snipRange.Empty() {
		snipRange.End.Byte++
		snipRange.End.Column++
	}
	if highlightRange.Empty() {
		highlightRange.End.Byte++
		highlightRange.End.Column++
	}
	ix := dw.indexOf(d.Subject.Filename, file)
	contextLine := ix.context(file, d.Subject.Start.Byte)
	if contextLine != "" {
		contextLine = ", in " + contextLine
	}
	fmt.Fprintf(buf, "  on %s line %d%s:\n", d.Subject.Filename, d.Subject.Start.Line, contextLine)
	src := file.Bytes
	first, last := 0, len(ix.lines)
	if snipRange.Start.Byte <= snipRange.End.Byte {
		// Lines ending before the snippet starts, or starting after it
		// ends, cannot overlap it; hcl's writer tests them all.
		first = sort.Search(len(ix.lines), func(i int) bool { return ix.lines[i].end >= snipRange.Start.Byte })
		last = sort.Search(len(ix.lines), func(i int) bool { return ix.lines[i].start > snipRange.End.Byte })
	}
	for i := first; i < last; i++ {
		ln := ix.lines[i]
		scanned.Add(int64(ln.end - ln.start))
		lineRange := hcl.Range{
			Filename: d.Subject.Filename,
			Start:    hcl.Pos{Line: ln.line, Column: 1, Byte: ln.start},
			End:      hcl.Pos{Line: ln.line, Column: 1, Byte: ln.end},
		}
		if !lineRange.Overlaps(snipRange) {
			continue
		}
		before, highlighted, after := lineRange.PartitionAround(highlightRange)
		if highlighted.Empty() {
			fmt.Fprintf(buf, "%4d: %s\n", ln.line, src[ln.start:ln.end])
		} else {
			fmt.Fprintf(buf, "%4d: %s%s%s%s%s\n", ln.line,
				before.SliceBytes(src), highlightCode, highlighted.SliceBytes(src), resetCode, after.SliceBytes(src))
		}
	}
	buf.WriteByte('\n')
}

// scanned counts the source bytes read to print diagnostics, for the test
// that printing is linear in the number of diagnostics.
var scanned atomic.Int64

// fileIndex is what printing snippets needs of one file, built in one pass.
type fileIndex struct {
	lines  []lineSpan
	blocks hclsyntax.Blocks // top-level blocks of a native file, in source order
	native bool
}

// lineSpan is one line as bufio.ScanLines splits it (no "\n", no final
// "\r"), numbered as hcl's RangeScanner numbers it: every "\r", "\n" or
// "\r\n" starts a new line.
type lineSpan struct {
	start, end int
	line       int
}

func (dw *diagWriter) indexOf(name string, file *hcl.File) *fileIndex {
	if ix := dw.index[name]; ix != nil {
		return ix
	}
	ix := &fileIndex{}
	src := file.Bytes
	scanned.Add(int64(len(src)))
	line := 1
	for pos := 0; pos < len(src); {
		n := bytes.IndexByte(src[pos:], '\n')
		next := len(src)
		end := len(src)
		if n >= 0 {
			end = pos + n
			next = end + 1
		}
		tokEnd := end
		if tokEnd > pos && src[tokEnd-1] == '\r' {
			tokEnd--
		}
		ix.lines = append(ix.lines, lineSpan{start: pos, end: tokEnd, line: line})
		// "\r" alone ends a line for hcl's numbering, not for the split.
		line += bytes.Count(src[pos:end], []byte{'\r'})
		if n >= 0 && (end == pos || src[end-1] != '\r') {
			line++
		}
		pos = next
	}
	if body, ok := file.Body.(*hclsyntax.Body); ok {
		ix.native = true
		ix.blocks = body.Blocks
	}
	dw.index[name] = ix
	return ix
}

// context is the "role \"x\"" hcl's writer names after the line number: the
// top-level block holding offset, found by binary search (blocks do not
// overlap and are in source order). Files not in native syntax (JSON) ask
// the file's own navigation, as hcl's writer does.
func (ix *fileIndex) context(file *hcl.File, offset int) string {
	if !ix.native {
		if cs, ok := file.Nav.(interface{ ContextString(int) string }); ok {
			return cs.ContextString(offset)
		}
		return ""
	}
	i := sort.Search(len(ix.blocks), func(i int) bool { return ix.blocks[i].Range().End.Byte > offset })
	if i == len(ix.blocks) || !ix.blocks[i].Range().ContainsOffset(offset) {
		return ""
	}
	b := ix.blocks[i]
	var s bytes.Buffer
	s.WriteString(b.Type)
	for _, label := range b.Labels {
		fmt.Fprintf(&s, " %q", label)
	}
	return s.String()
}
