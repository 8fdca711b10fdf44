package schema

import (
	"slices"

	"github.com/trustform/trustform/engine/model"

	"github.com/zclconf/go-cty/cty"
)

// The language's labelled top-level blocks, each declared once: the shape of
// its body, what a reference to one carries and which of its arguments make
// up its identity (evaluated before the rest of the body, so that other
// blocks can refer to it), how one instance's body becomes the engine's
// configuration, and where that goes in the Config. The loader, the
// reference graph and the evaluation context read this table instead of
// naming the block types; a new kind of block is an entry here and the
// evaluation of its body (blocks.go).

// blockKind declares one labelled top-level block type.
type blockKind struct {
	typ  string
	spec *bodySpec
	// ref is what a reference to a block of the type carries; nil for a
	// block nothing can refer to (grant, deny, expect).
	ref *refSpec
	// body evaluates one instance's body into its configuration, and
	// assemble adds that to the stack's Config; nil for the blocks the
	// loader reads itself (variable).
	body     func(s *scope, typ string, d *decoded, src model.Source) any
	assemble func(cfg *model.Config, out any)
}

// refSpec is what a reference to a block carries.
type refSpec struct {
	// attrs are the attributes of the reference object, e.g. role.x.arn.
	attrs []string
	// identity are the arguments that make up the block's identity.
	identity []string
	// identify evaluates them into the instance's refInfo.
	identify func(s *scope, typ string, d *decoded)
	// arn is the ARN of a principal or policy of the type (nil for an
	// account, whose identity makes its root ARN).
	arn func(partition, account, path, name string) string
}

// principalRefSpec is the reference of a group, user, policy or role: its ARN
// is made of its account, path and name.
func principalRefSpec(arn func(partition, account, path, name string) string, attrs, identity []string) *refSpec {
	return &refSpec{attrs: attrs, identity: identity, arn: arn,
		identify: func(s *scope, typ string, d *decoded) { s.principalIdentity(typ, d) }}
}

// bodyOf adapts a block's body evaluation to the table's signature.
func bodyOf[T any](f func(s *scope, d *decoded, src model.Source) T) func(*scope, string, *decoded, model.Source) any {
	return func(s *scope, _ string, d *decoded, src model.Source) any { return f(s, d, src) }
}

// appendTo adds an evaluated block to the Config list it belongs in.
func appendTo[T any](list func(cfg *model.Config) *[]T) func(*model.Config, any) {
	return func(cfg *model.Config, out any) {
		l := list(cfg)
		*l = append(*l, out.(T))
	}
}

// grantBody evaluates a grant or deny, which differ in their effect.
func grantBody(s *scope, typ string, d *decoded, src model.Source) any {
	return s.grantBody(typ, d, src)
}

// blockKinds lists the labelled top-level blocks. The referenceable ones
// come first, in the order messages list them. It is filled in init, with
// what is derived from it, because the evaluation it names reads it back.
var blockKinds []blockKind

// refTypes are the block types a reference can start with, and
// forEachTypes those that take for_each, in the order messages list them;
// refObjType is the type of each one's reference object, so that an
// instance that failed can still stand in its for_each map as unknown.
var (
	refTypes, forEachTypes []string
	refObjType             map[string]cty.Type
)

func init() {
	blockKinds = []blockKind{
		{typ: "account", spec: topSpecs["account"],
			ref: &refSpec{attrs: []string{"id", "name", "partition", "arn", "root_arn"}, identity: []string{"for_each", "id", "partition"},
				identify: func(s *scope, _ string, d *decoded) { s.accountIdentity(d) }},
			body:     bodyOf((*scope).accountBody),
			assemble: appendTo(func(c *model.Config) *[]*model.AccountConfig { return &c.Accounts })},
		{typ: "group", spec: topSpecs["group"],
			ref:      principalRefSpec(model.GroupARN, []string{"name", "arn", "account_id"}, []string{"for_each", "account", "name", "existing"}),
			body:     bodyOf((*scope).groupBody),
			assemble: appendTo(func(c *model.Config) *[]*model.GroupConfig { return &c.Groups })},
		{typ: "user", spec: topSpecs["user"],
			ref:      principalRefSpec(model.UserARN, []string{"name", "arn", "account_id"}, []string{"for_each", "account", "name", "path"}),
			body:     bodyOf((*scope).userBody),
			assemble: appendTo(func(c *model.Config) *[]*model.UserConfig { return &c.Users })},
		{typ: "policy", spec: topSpecs["policy"],
			ref:      principalRefSpec(model.PolicyARN, []string{"name", "arn", "account_id"}, []string{"for_each", "account", "name", "path"}),
			body:     bodyOf((*scope).policyBody),
			assemble: appendTo(func(c *model.Config) *[]*model.PolicyConfig { return &c.Policies })},
		{typ: "role", spec: topSpecs["role"],
			ref:      principalRefSpec(model.RoleARN, []string{"name", "arn", "account_id", "path"}, []string{"for_each", "account", "name", "path"}),
			body:     bodyOf((*scope).roleBody),
			assemble: appendTo(func(c *model.Config) *[]*model.RoleConfig { return &c.Roles })},
		{typ: "grant", spec: topSpecs["grant"], body: grantBody,
			assemble: appendTo(func(c *model.Config) *[]*model.GrantConfig { return &c.Grants })},
		{typ: "deny", spec: topSpecs["deny"], body: grantBody,
			assemble: appendTo(func(c *model.Config) *[]*model.GrantConfig { return &c.Grants })},
		{typ: "expect", spec: topSpecs["expect"], body: bodyOf((*scope).expectBody),
			assemble: appendTo(func(c *model.Config) *[]*model.ExpectConfig { return &c.Expectations })},
		{typ: "variable", spec: topSpecs["variable"]},
	}
	refObjType = map[string]cty.Type{}
	for _, k := range blockKinds {
		if k.ref != nil {
			refTypes = append(refTypes, k.typ)
			attrs := map[string]cty.Type{}
			for _, a := range k.ref.attrs {
				attrs[a] = cty.String
			}
			refObjType[k.typ] = cty.Object(attrs)
		}
		if slices.Contains(k.spec.attrs, "for_each") {
			forEachTypes = append(forEachTypes, k.typ)
		}
	}
}

// kindOfBlock returns the declaration of a labelled top-level block type.
func kindOfBlock(typ string) (blockKind, bool) {
	i := slices.IndexFunc(blockKinds, func(k blockKind) bool { return k.typ == typ })
	if i < 0 {
		return blockKind{}, false
	}
	return blockKinds[i], true
}

// refOf returns what a reference to a block of the type carries, nil for a
// type nothing refers to.
func refOf(typ string) *refSpec {
	k, _ := kindOfBlock(typ)
	return k.ref
}
