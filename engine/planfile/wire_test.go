package planfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/trustform/trustform/engine/model"
)

// TestDocumentHoldsNoModelTypes: nothing reachable from Document is a type
// of another package (but encoding/json's RawMessage), so that no change to
// the model, or to any package, changes the plan file's format unseen. A
// type named here must be planfile's, with its own tags.
func TestDocumentHoldsNoModelTypes(t *testing.T) {
	own := reflect.TypeFor[Document]().PkgPath()
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		if seen[typ] {
			return
		}
		seen[typ] = true
		switch {
		case typ == reflect.TypeFor[json.RawMessage]():
			return
		case typ.PkgPath() != "" && typ.PkgPath() != own:
			t.Errorf("%s is a %s: the plan document holds only planfile's own types, so that %s can change without changing plans", path, typ, typ.PkgPath())
			return
		}
		switch typ.Kind() {
		case reflect.Struct:
			for f := range typ.Fields() {
				if f.IsExported() {
					walk(f.Type, path+"."+f.Name)
				}
			}
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(typ.Elem(), path+"[]")
		case reflect.Map:
			walk(typ.Key(), path+"{key}")
			walk(typ.Elem(), path+"{}")
		case reflect.Interface, reflect.Func, reflect.Chan:
			t.Errorf("%s is a %s: the document holds data, each of one type", path, typ)
		}
	}
	walk(reflect.TypeFor[Document](), "Document")
	if !seen[reflect.TypeFor[Role]()] {
		t.Fatal("the walk did not reach the objects")
	}
}

// leftOut lists the model's fields that plans do not carry, each with why.
// None today: every field of the objects and changes is in the document.
var leftOut = map[string]string{}

// TestEveryModelFieldIsOnTheWire: a field added to the model fails here
// until someone decides whether plans carry it. The plan is what people
// review and what apply FILE compares (Differences compares documents): a
// field that matters to either goes on the document's struct, as a new field
// within format_version 2 (and in docs/plan.schema.json); one that does not
// goes in leftOut, with why.
func TestEveryModelFieldIsOnTheWire(t *testing.T) {
	pairs := []struct {
		model, wire reflect.Type
		renamed     map[string]string // model field → wire field
	}{
		{reflect.TypeFor[model.Role](), reflect.TypeFor[Role](), nil},
		{reflect.TypeFor[model.ManagedPolicy](), reflect.TypeFor[Policy](), nil},
		{reflect.TypeFor[model.Group](), reflect.TypeFor[Group](), nil},
		{reflect.TypeFor[model.User](), reflect.TypeFor[User](), nil},
		{reflect.TypeFor[model.InlinePolicy](), reflect.TypeFor[InlinePolicy](), nil},
		{reflect.TypeFor[model.Attachment](), reflect.TypeFor[Attachment](), nil},
		{reflect.TypeFor[model.Membership](), reflect.TypeFor[Membership](), nil},
		{reflect.TypeFor[model.Change](), reflect.TypeFor[Change](), map[string]string{"Attrs": "Attributes"}},
		{reflect.TypeFor[model.AccountRef](), reflect.TypeFor[AccountRef](), nil},
		{reflect.TypeFor[model.Key](), reflect.TypeFor[Key](), nil},
		{reflect.TypeFor[model.AttrDiff](), reflect.TypeFor[AttrDiff](), nil},
	}
	for _, p := range pairs {
		for f := range p.model.Fields() {
			name := p.model.String() + "." + f.Name
			if !f.IsExported() || leftOut[name] != "" {
				continue
			}
			wireName := f.Name
			if r, ok := p.renamed[f.Name]; ok {
				wireName = r
			}
			if _, ok := p.wire.FieldByName(wireName); !ok {
				t.Errorf("%s is not in the plan file: add it to %s (a new field within format_version %s, and to docs/plan.schema.json) and to its conversions in wire.go, or to leftOut with why plans need not carry it", name, p.wire, FormatVersion)
			}
		}
	}
}

// TestConversionsKeepEveryField: a change of the engine's, every field set,
// with each kind of object before and after, comes back from the document
// as it went; so does a document's change from the engine's. No field is
// dropped on the way, and nil stays apart from empty (null from []). A
// document, every field set, decodes and encodes again to its bytes: no
// field of it is left out of the JSON.
func TestConversionsKeepEveryField(t *testing.T) {
	kinds := reflect.TypeFor[Object]()
	models := []model.Object{&model.Role{}, &model.ManagedPolicy{}, &model.Group{}, &model.User{}, &model.InlinePolicy{}, &model.Attachment{}, &model.Membership{}}
	if len(models) != kinds.NumField() {
		t.Fatalf("%d kinds of the model's objects, and Object holds %d", len(models), kinds.NumField())
	}
	for _, how := range []fillHow{fillFull, fillEmpty, fillNil} {
		for _, o := range models {
			var m model.Change
			fill(reflect.ValueOf(&m).Elem(), how)
			m.Before, m.After = filled(o, how), filled(o, how)
			back, err := changeOf(&m).model()
			if err != nil {
				t.Fatalf("%s, %T: %v", how, o, err)
			}
			if diff := difference(reflect.ValueOf(back).Elem(), reflect.ValueOf(m), "model.Change"); diff != "" {
				t.Errorf("%s, %T: the engine's change came back from the document otherwise: %s", how, o, diff)
			}
		}
		for k := range kinds.NumField() {
			var c Change
			fill(reflect.ValueOf(&c).Elem(), how)
			// Its place and name for people are FromPlan's to give: the
			// engine's change holds neither.
			c.Index, c.Object = 0, ""
			c.Before, c.After = holding(k, how), holding(k, how)
			m, err := c.model()
			if err != nil {
				t.Fatalf("%s, %s: %v", how, kinds.Field(k).Name, err)
			}
			if diff := difference(reflect.ValueOf(changeOf(m)), reflect.ValueOf(c), "Change"); diff != "" {
				t.Errorf("%s, %s: the document's change came back from the engine's otherwise: %s", how, kinds.Field(k).Name, diff)
			}
		}

		var d Document
		fill(reflect.ValueOf(&d).Elem(), how)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Document
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		again, _ := json.Marshal(back)
		if !bytes.Equal(again, b) {
			t.Errorf("%s: decoded and encoded again, the document reads\n%s\nwant\n%s", how, again, b)
		}
		// Empty maps and slices are left out (omitempty) or read as null;
		// with every field set, each comes back.
		if diff := difference(reflect.ValueOf(back), reflect.ValueOf(d), "Document"); how == fillFull && diff != "" {
			t.Errorf("%s: the document came back from its JSON otherwise: %s", how, diff)
		}
	}
}

// filled is a new object of o's kind, its fields set as how says.
func filled(o model.Object, how fillHow) model.Object {
	v := reflect.New(reflect.TypeOf(o).Elem())
	fill(v.Elem(), how)
	return v.Interface().(model.Object)
}

// holding is an Object holding its k-th kind of object, that object's
// fields set as how says.
func holding(k int, how fillHow) *Object {
	o := &Object{}
	f := reflect.ValueOf(o).Elem().Field(k)
	f.Set(reflect.New(f.Type().Elem()))
	fill(f.Elem(), how)
	return o
}

type fillHow string

const (
	fillFull  fillHow = "every field set"
	fillEmpty fillHow = "slices and maps empty"
	fillNil   fillHow = "slices, maps and pointers nil"
)

// fill sets every field of v: to a value naming the field, or, for slices,
// maps and pointers, to empty or nil as how says.
func fill(v reflect.Value, how fillHow) {
	if v.Type() == reflect.TypeFor[json.RawMessage]() {
		if how == fillFull {
			v.SetBytes([]byte(`"number"`))
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int:
		v.SetInt(7)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		if how != fillNil {
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), how)
		}
	case reflect.Slice:
		switch how {
		case fillEmpty:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		case fillFull:
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
			fill(v.Index(0), how)
		}
	case reflect.Map:
		switch how {
		case fillEmpty:
			v.Set(reflect.MakeMap(v.Type()))
		case fillFull:
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, how)
			fill(e, how)
			v.Set(reflect.MakeMap(v.Type()))
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if leftOut[v.Type().String()+"."+v.Type().Field(i).Name] == "" {
				fill(v.Field(i), how)
			}
		}
	case reflect.Interface:
		// The model's objects: the caller sets them, of one kind it names.
	default:
		panic("fill: " + v.Type().String())
	}
}

// difference names the first place where got and want differ, nil and
// empty apart; "" when they do not.
func difference(got, want reflect.Value, path string) string {
	if got.Type() != want.Type() {
		return path + ": a " + got.Type().String() + ", want a " + want.Type().String()
	}
	switch got.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		if got.IsNil() != want.IsNil() {
			return path + ": nil is " + strconv.FormatBool(got.IsNil()) + ", want " + strconv.FormatBool(want.IsNil())
		}
	}
	switch got.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !got.IsNil() {
			return difference(got.Elem(), want.Elem(), path)
		}
	case reflect.Slice:
		if got.Len() != want.Len() {
			return path + ": " + strconv.Itoa(got.Len()) + " elements, want " + strconv.Itoa(want.Len())
		}
		for i := range got.Len() {
			if d := difference(got.Index(i), want.Index(i), path+"["+strconv.Itoa(i)+"]"); d != "" {
				return d
			}
		}
	case reflect.Struct:
		for i := range got.NumField() {
			if d := difference(got.Field(i), want.Field(i), path+"."+got.Type().Field(i).Name); d != "" {
				return d
			}
		}
	default:
		if !reflect.DeepEqual(got.Interface(), want.Interface()) {
			return path + ": " + fmt.Sprintf("%#v, want %#v", got.Interface(), want.Interface())
		}
	}
	return ""
}

// goldenPlans are plans as trustform wrote them before the plan file had
// wire structs of its own (testdata/: saved plans of examples/dev-prod and
// testdata/import/tutorial, made, drifted, adopted and destroyed, and a plan
// that is not applicable; testdata/plans/dev-prod.json and organization.json:
// the CLI's goldens).
// Their bytes are the format.
func goldenPlans(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden plans in testdata: %v", err)
	}
	return append(files, filepath.Join("..", "..", "testdata", "plans", "dev-prod.json"), filepath.Join("..", "..", "testdata", "plans", "organization.json"))
}

// TestGoldenPlansRoundTrip: each golden plan is read and written again to
// the same bytes, checksum and all; rebuilt into the engine's plan and made
// a document again (document → model → document), it is still the same
// bytes; and it matches docs/plan.schema.json.
func TestGoldenPlansRoundTrip(t *testing.T) {
	schema := planSchema(t)
	for _, file := range goldenPlans(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			saved := strings.HasSuffix(file, ".plan")
			encode := func(d Document) []byte {
				var b bytes.Buffer
				if saved {
					if err := Write(&b, d); err != nil {
						t.Fatal(err)
					}
					return b.Bytes()
				}
				enc := json.NewEncoder(&b)
				enc.SetIndent("", "  ")
				if err := enc.Encode(d); err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			}
			var doc Document
			if saved {
				doc, err = Read(bytes.NewReader(want))
			} else {
				err = json.Unmarshal(want, &doc)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := encode(doc); !bytes.Equal(got, want) {
				t.Errorf("read and written again, the plan differs:\n%s", firstDifference(got, want))
			}

			p, cfg, err := doc.Plan()
			if err != nil {
				t.Fatal(err)
			}
			again := FromPlan(p, cfg, doc.Target, doc.TrustformVersion)
			again.Fingerprint, again.Variables, again.StackFiles = doc.Fingerprint, doc.Variables, doc.StackFiles
			if got := encode(again); !bytes.Equal(got, want) {
				t.Errorf("rebuilt into the engine's plan and made a document again, the plan differs:\n%s", firstDifference(got, want))
			}

			v, err := jsonschema.UnmarshalJSON(bytes.NewReader(want))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("the plan does not match docs/plan.schema.json: %v", err)
			}
		})
	}
}

func planSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "docs", "plan.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("plan.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("plan.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// firstDifference shows where two documents part, line by line.
func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return "line " + strconv.Itoa(i+1) + ":\n  got  " + g[i] + "\n  want " + w[i]
		}
	}
	return "one is " + strconv.Itoa(len(g)) + " lines long, the other " + strconv.Itoa(len(w))
}
