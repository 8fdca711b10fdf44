package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// bodySpec is the shape of one block body. It is turned into an
// hcl.BodySchema so that HCL itself reports unknown arguments and blocks (with
// its "Did you mean" suggestions); required arguments are checked here instead
// of through the schema so that the message can show an example.
type bodySpec struct {
	attrs    []string
	required map[string]string // argument → an example of it, for the hint
	blocks   []nestedSpec
}

type nestedSpec struct {
	typ    string
	labels []string
	spec   *bodySpec
	single bool // at most one per parent
}

func (s *bodySpec) hcl() *hcl.BodySchema {
	out := &hcl.BodySchema{}
	for _, a := range s.attrs {
		out.Attributes = append(out.Attributes, hcl.AttributeSchema{Name: a})
	}
	for _, b := range s.blocks {
		out.Blocks = append(out.Blocks, hcl.BlockHeaderSchema{Type: b.typ, LabelNames: b.labels})
	}
	return out
}

var conditionSpec = &bodySpec{
	attrs: []string{"test", "variable", "values"},
	required: map[string]string{
		"test":     `test = "StringEquals"`,
		"variable": `variable = "aws:PrincipalOrgID"`,
		"values":   `values = ["o-abc123"]`,
	},
}

var statementSpec = &bodySpec{
	attrs:  []string{"sid", "effect", "actions", "not_actions", "resources", "not_resources", "principals"},
	blocks: []nestedSpec{{typ: "condition", spec: conditionSpec}},
}

// documentSpec is the body of a policy or inline_policy: statement blocks or a
// document, plus the attributes given in extra.
func documentSpec(extra ...string) *bodySpec {
	return &bodySpec{
		attrs:  append(extra, "document"),
		blocks: []nestedSpec{{typ: "statement", spec: statementSpec}},
	}
}

var trustSpec = &bodySpec{
	attrs:  []string{"accounts", "principals", "services", "require_mfa", "external_id"},
	blocks: []nestedSpec{{typ: "condition", spec: conditionSpec}},
}

var assumeRoleSpec = &bodySpec{
	attrs:    []string{"role_arn", "external_id", "session_name", "duration"},
	required: map[string]string{"role_arn": `role_arn = "arn:aws:iam::999999999999:role/OrganizationAccountAccessRole"`},
}

var (
	accountRequired = map[string]string{"account": "account = account.production"}
	nameRequired    = `name = "UpdateApp"`
)

func withName(m map[string]string, example string) map[string]string {
	out := map[string]string{"name": example}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// topSpecs are the top-level block types, by type.
var topSpecs = map[string]*bodySpec{
	"stack":    {attrs: []string{"target", "assume_role_name", "require_approval"}},
	"variable": {attrs: []string{"type", "default", "description"}},
	"account": {
		attrs:    []string{"for_each", "id", "partition", "profile", "external"},
		required: map[string]string{"id": `id = "111111111111"`},
		blocks:   []nestedSpec{{typ: "assume_role", spec: assumeRoleSpec, single: true}},
	},
	"group": {
		attrs:    []string{"for_each", "account", "name", "path", "existing", "adopt", "managed_policies"},
		required: withName(accountRequired, `name = "Developers"`),
		blocks:   []nestedSpec{{typ: "inline_policy", labels: []string{"name"}, spec: documentSpec()}},
	},
	"user": {
		attrs:    []string{"for_each", "account", "name", "path", "groups", "tags", "existing", "adopt", "managed_policies", "permissions_boundary"},
		required: withName(accountRequired, `name = "David"`),
		blocks:   []nestedSpec{{typ: "inline_policy", labels: []string{"name"}, spec: documentSpec()}},
	},
	"policy": func() *bodySpec {
		s := documentSpec("for_each", "account", "name", "path", "description", "tags", "adopt")
		s.required = withName(accountRequired, `name = "read-write-app-bucket"`)
		return s
	}(),
	"role": {
		attrs: []string{"for_each", "account", "name", "path", "description", "max_session_duration",
			"trust_document", "managed_policies", "permissions_boundary", "tags", "adopt"},
		required: withName(accountRequired, nameRequired),
		blocks: []nestedSpec{
			{typ: "trust", spec: trustSpec},
			{typ: "inline_policy", labels: []string{"name"}, spec: documentSpec()},
		},
	},
	"grant":  grantSpec,
	"deny":   grantSpec,
	"expect": {attrs: []string{"for_each", "principal", "can_assume", "cannot_assume", "role", "assumable_only_by", "trusts_only"}},
}

// organizationSpec is the organization block's body: the account through
// which the organisation is read. The block has no label; a stack has at
// most one.
var organizationSpec = &bodySpec{attrs: []string{"account"}, required: accountRequired}

var grantSpec = &bodySpec{
	attrs:    []string{"for_each", "to", "roles", "policy_name"},
	required: map[string]string{"to": "to = [group.developers]", "roles": "roles = [role.update_app]"},
}

// rootSchema lists the top-level blocks; every one but locals and
// organization has one label.
var rootSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "locals"}, {Type: "organization"}}}
	for _, t := range sortedKeys(topSpecs) {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: t, LabelNames: []string{"name"}})
	}
	return s
}()

// decoded is a block whose body has been checked against its spec: the
// attributes it sets and its nested blocks, in source order.
type decoded struct {
	block  *hcl.Block
	spec   *bodySpec
	attrs  hcl.Attributes
	blocks []*decoded
}

func (d *decoded) children(typ string) []*decoded {
	var out []*decoded
	for _, c := range d.blocks {
		if c.block.Type == typ {
			out = append(out, c)
		}
	}
	return out
}

// sortedAttrs returns the attributes in source order, so that everything
// derived from them (diagnostics, dependencies) is deterministic.
func (d *decoded) sortedAttrs() []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(d.attrs))
	for _, a := range d.attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return rangeLess(out[i].Range, out[j].Range) })
	return out
}

// decode checks a block body against spec, recursively, reporting unknown
// and missing arguments, and repeated singleton or labelled nested blocks.
func (l *loader) decode(b *hcl.Block, spec *bodySpec) *decoded {
	content, diags := b.Body.Content(spec.hcl())
	l.diags = append(l.diags, diags...)
	d := &decoded{block: b, spec: spec, attrs: content.Attributes}
	for _, name := range sortedKeys(spec.required) {
		if _, ok := d.attrs[name]; !ok {
			l.errorf(b.DefRange, "Missing required argument",
				"%s %s block needs the argument %q, for example:\n  %s", capitalArticle(b.Type), b.Type, name, spec.required[name])
		}
	}
	seen := map[string]*hcl.Block{}
	for _, nb := range content.Blocks {
		var ns nestedSpec
		for _, s := range spec.blocks {
			if s.typ == nb.Type {
				ns = s
			}
		}
		key := nb.Type
		if len(nb.Labels) > 0 {
			// IAM compares inline policy names without case.
			key += " " + strings.ToLower(strings.Join(nb.Labels, " "))
		}
		if first := seen[key]; first != nil && (ns.single || len(nb.Labels) > 0) {
			what := nb.Type + " block"
			if len(nb.Labels) > 0 {
				what = fmt.Sprintf("%s %q", nb.Type, nb.Labels[0])
			}
			l.errorf(nb.DefRange, "Duplicate "+nb.Type+" block",
				"This %s repeats the one at %s; %s %s block may have only one. Merge them or remove one.",
				what, posString(first.DefRange), article(b.Type), b.Type)
			continue
		}
		seen[key] = nb
		d.blocks = append(d.blocks, l.decode(nb, ns.spec))
	}
	return d
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func capitalArticle(word string) string {
	a := article(word)
	return strings.ToUpper(a[:1]) + a[1:]
}
