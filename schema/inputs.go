package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/trustform/trustform/engine/model"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Value is an input variable's value as a saved plan records it: its type
// and the value, in go-cty's JSON encoding, so that it comes back exactly
// (a string "3600" stays a string, a set stays a set).
type Value struct {
	Type  json.RawMessage `json:"type"`
	Value json.RawMessage `json:"value"`
}

// Inputs are what one load read from outside its options: each variable's
// value and a digest of every file of the stack, by its path relative to the
// stack directory (the *.hcl and *.hcl.json files, and those file() read;
// a file() read outside the directory keeps its absolute path).
type Inputs struct {
	Values map[string]Value
	Files  map[string]string // "sha256:<hex>"
}

// LoadInputs is Load, and also returns the Inputs of the load, for a saved
// plan to record. Given opts.Values (a saved plan's) and no other source, a
// later load gives the variables the same values.
func LoadInputs(dir string, opts Options) (*model.Config, map[string]*hcl.File, hcl.Diagnostics, Inputs) {
	in := Inputs{Values: map[string]Value{}, Files: map[string]string{}}
	cfg, files, diags := loadDir(dir, opts, &recorder{dir: dir, in: &in})
	return cfg, files, diags, in
}

// recorder collects a load's Inputs.
type recorder struct {
	dir string
	in  *Inputs
}

func (r *recorder) file(path string, content []byte) {
	name := path
	if rel, err := filepath.Rel(r.dir, path); err == nil && filepath.IsLocal(rel) {
		name = filepath.ToSlash(rel)
	} else if abs, err := filepath.Abs(path); err == nil {
		name = abs
	}
	sum := sha256.Sum256(content)
	r.in.Files[name] = "sha256:" + hex.EncodeToString(sum[:])
}

func (r *recorder) values(vars map[string]cty.Value) {
	for name, v := range vars {
		if !v.IsWhollyKnown() {
			continue // only after an error: the load fails anyway
		}
		ty, err := ctyjson.MarshalType(v.Type())
		if err != nil {
			continue
		}
		b, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			continue
		}
		r.in.Values[name] = Value{Type: ty, Value: b}
	}
}

// setRecorded gives each variable the value opts.Values records for it,
// over every other source. A variable the record does not name (the stack
// declared it since) keeps what the other sources gave it.
func (l *loader) setRecorded() {
	if l.opts.Values == nil {
		return
	}
	names := make([]string, 0, len(l.opts.Values))
	for name := range l.opts.Values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		rv := l.opts.Values[name]
		v := l.varByName[name]
		if v == nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("The saved plan records a value for %q, but the stack declares no such variable: the stack changed since the plan was made. Make a new plan.", name),
			})
			continue
		}
		ty, err := ctyjson.UnmarshalType(rv.Type)
		var val cty.Value
		if err == nil {
			val, err = ctyjson.Unmarshal(rv.Value, ty)
		}
		if err != nil {
			l.diags = append(l.diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid value for variable",
				Detail:   fmt.Sprintf("The saved plan's value for %q cannot be read: %v. Make a new plan.", name, err),
			})
			v.failed = true
			continue
		}
		l.setVariable(v, val, nil, "The value the saved plan records")
	}
}
