package policy

import (
	"maps"
	"slices"
	"sync"
)

// memo remembers what a parse made of each document text. One plan parses
// the same documents several times over (the loader, lint, the records of
// what was applied, the diff, the evaluator, both before and after the
// plan), and at 1,000 accounts decoding them again was a fifth of a plan's
// CPU. Each caller gets its own copy, so none can change another's.
type memo struct {
	sync.Mutex
	docs map[string]parseResult
}

// Parse and ParseStrict answer differently for some texts (an encoded
// document, a character IAM's write APIs refuse): each has its own memo.
var parsedLoose, parsedStrict = &memo{docs: map[string]parseResult{}}, &memo{docs: map[string]parseResult{}}

type parseResult struct {
	doc Document
	err error
}

// parsedLimit bounds the memo: a long-lived process (a test binary, a
// program embedding the engine) forgets everything once it holds this many
// documents, rather than grow without end.
const parsedLimit = 1 << 16

func (parsed *memo) parse(text string, parse func(string) (Document, error)) (Document, error) {
	parsed.Lock()
	r, ok := parsed.docs[text]
	parsed.Unlock()
	if ok {
		return r.doc.Clone(), r.err
	}
	d, err := parse(text)
	parsed.Lock()
	if len(parsed.docs) >= parsedLimit {
		clear(parsed.docs)
	}
	parsed.docs[text] = parseResult{d.Clone(), err}
	parsed.Unlock()
	return d, err
}

// Clone returns a copy of the document that shares nothing with it.
func (d Document) Clone() Document {
	out := d
	if d.Statements != nil {
		out.Statements = make([]Statement, len(d.Statements))
		for i, s := range d.Statements {
			out.Statements[i] = s.Clone()
		}
	}
	return out
}

// Clone returns a copy of the statement that shares nothing with it.
func (s Statement) Clone() Statement {
	out := s
	out.Actions = slices.Clone(s.Actions)
	out.NotActions = slices.Clone(s.NotActions)
	out.Resources = slices.Clone(s.Resources)
	out.NotResources = slices.Clone(s.NotResources)
	out.Principals = cloneValues(s.Principals)
	out.NotPrincipals = cloneValues(s.NotPrincipals)
	if s.Conditions != nil {
		out.Conditions = make(map[string]map[string][]string, len(s.Conditions))
		for op, keys := range s.Conditions {
			out.Conditions[op] = cloneValues(keys)
		}
	}
	return out
}

func cloneValues(m map[string][]string) map[string][]string {
	if m == nil {
		return nil
	}
	out := maps.Clone(m)
	for k, v := range out {
		out[k] = slices.Clone(v)
	}
	return out
}
