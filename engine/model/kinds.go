package model

import (
	"fmt"
	"reflect"
	"slices"
)

// What the model knows of each kind of object a change is about, in one
// place: how a person names one, where its changes fall in a plan's order,
// and an empty one to decode into. A new kind is declared here; its targets
// register a handler for it (engine.Handlers), which the conformance suite
// checks on every target.

// KindSpec declares one kind of object.
type KindSpec struct {
	Kind Kind
	// Name names an object of the kind for people, e.g. role "UpdateApp"
	// or inline policy "notes" of group "Developers".
	Name func(o Object) string
	// CreateRank and DeleteRank order the kinds in a plan the way a
	// reader expects, lowest first: principals and policies before what
	// joins them when creating, the reverse when deleting. (The
	// dependencies themselves are the engine's Order.)
	CreateRank, DeleteRank int
	// New returns an empty object of the kind, for decoding one.
	New func() Object
}

var kindSpecs = []KindSpec{
	{Kind: KindPolicy, CreateRank: 0, DeleteRank: 6, New: func() Object { return &ManagedPolicy{} },
		Name: func(o Object) string { return fmt.Sprintf("managed policy %q", o.(*ManagedPolicy).Name) }},
	{Kind: KindGroup, CreateRank: 1, DeleteRank: 5, New: func() Object { return &Group{} },
		Name: func(o Object) string { return fmt.Sprintf("group %q", o.(*Group).Name) }},
	{Kind: KindUser, CreateRank: 2, DeleteRank: 4, New: func() Object { return &User{} },
		Name: func(o Object) string { return fmt.Sprintf("user %q", o.(*User).Name) }},
	{Kind: KindRole, CreateRank: 3, DeleteRank: 3, New: func() Object { return &Role{} },
		Name: func(o Object) string { return fmt.Sprintf("role %q", o.(*Role).Name) }},
	{Kind: KindMembership, CreateRank: 4, DeleteRank: 2, New: func() Object { return &Membership{} },
		Name: func(o Object) string {
			m := o.(*Membership)
			return fmt.Sprintf("membership of user %q in group %q", m.User, m.Group)
		}},
	{Kind: KindAttachment, CreateRank: 5, DeleteRank: 1, New: func() Object { return &Attachment{} },
		Name: func(o Object) string {
			a := o.(*Attachment)
			return fmt.Sprintf("attachment of %s to %s %q", a.PolicyARN, a.PrincipalKind, a.PrincipalName)
		}},
	{Kind: KindInline, CreateRank: 6, DeleteRank: 0, New: func() Object { return &InlinePolicy{} },
		Name: func(o Object) string {
			p := o.(*InlinePolicy)
			return fmt.Sprintf("inline policy %q of %s %q", p.Name, p.PrincipalKind, p.PrincipalName)
		}},
}

// Spec returns the declaration of a kind of object that changes.
func Spec(k Kind) (KindSpec, bool) {
	i := slices.IndexFunc(kindSpecs, func(s KindSpec) bool { return s.Kind == k })
	if i < 0 {
		return KindSpec{}, false
	}
	return kindSpecs[i], true
}

// ChangeKinds lists every kind of object a change can be about, sorted.
func ChangeKinds() []Kind {
	out := make([]Kind, len(kindSpecs))
	for i, s := range kindSpecs {
		out[i] = s.Kind
	}
	slices.Sort(out)
	return out
}

// SpecOf returns the declaration of an object's kind (the zero KindSpec for
// no object, a nil pointer of an object type included).
func SpecOf(o Object) KindSpec {
	if Absent(o) {
		return KindSpec{}
	}
	s, _ := Spec(o.kind())
	return s
}

// Absent reports whether an object is missing: nil, or a nil pointer of an
// object type (every object type is a pointer, so that an interface holding
// a typed nil is told from one holding an object without naming each type).
func Absent(o Object) bool {
	if o == nil {
		return true
	}
	v := reflect.ValueOf(o)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
