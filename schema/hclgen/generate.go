package hclgen

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/trustform/trustform/engine/policy"
	"github.com/trustform/trustform/schema"
)

// Input is what Generate needs: the account as read and the stack it is
// imported into.
type Input struct {
	Stack   string
	Account *model.AccountConfig // the declared account the objects come from
	Read    *model.Account       // the account as read, ownership marked for Stack
	Config  *model.Config        // the stack as it is, for references and labels
	// Match, when set, is a shell pattern (path.Match) on IAM names: only
	// matching roles, policies, groups and users are imported.
	Match string
	// Skip names roles never to import, with the reason, such as the role
	// trustform itself uses to reach the account.
	Skip map[string]string
}

// Item is one object Generate wrote or left out.
type Item struct {
	Kind    model.Kind
	Name    string
	Address string // the block written, e.g. role.update_app
	Reason  string // why it was left out, or how it was written
}

// Result is the generated file and what it holds.
type Result struct {
	HCL      []byte
	Imported []Item
	Skipped  []Item
}

// Generate writes HCL declaring the objects of one account that no
// trustform stack owns and the stack does not declare yet, each marked
// adopt = true.
func Generate(in Input) (*Result, error) {
	g := &generator{in: in, refs: map[string]hcl.Traversal{}, taken: map[string]bool{}, res: &Result{}}
	if in.Match != "" {
		if _, err := path.Match(in.Match, ""); err != nil {
			return nil, fmt.Errorf("--match %q is not a valid pattern: %w", in.Match, err)
		}
	}
	g.indexConfig()
	g.selectObjects()
	file := hclwrite.NewEmptyFile()
	body := file.Body()
	fmt.Fprintf(g.comment(body), "Imported from account %s (%s) by trustform import.", in.Account.Name, in.Account.ID)
	g.comment(body).WriteString("Every block is marked adopt = true: the next apply takes these objects over as they are,")
	g.comment(body).WriteString("and the plan lists each adoption. Review, rename labels, then plan.")
	for _, p := range g.policies {
		g.writePolicy(body, p)
	}
	for _, gr := range g.groups {
		g.writeGroup(body, gr)
	}
	for _, name := range slices.Sorted(maps.Keys(g.referredGroups)) {
		g.writeExistingGroup(body, name)
	}
	for _, u := range g.users {
		g.writeUser(body, u)
	}
	for _, u := range g.referredUsers {
		g.writeExistingUser(body, u)
	}
	for _, r := range g.roles {
		g.writeRole(body, r)
	}
	for _, gt := range g.grants {
		g.writeGrant(body, gt)
	}
	g.res.HCL = hclwrite.Format(file.Bytes())
	return g.res, nil
}

type generator struct {
	in       Input
	refs     map[string]hcl.Traversal // ARN (and bare account id) → reference
	taken    map[string]bool          // "type.label" already declared or written
	labels   map[model.Key]string
	policies []*model.ManagedPolicy
	groups   []*model.Group
	users    []*model.User
	roles    []*model.Role
	grants   []grantOut
	// referredGroups are groups an imported user belongs to that the stack
	// neither declares nor imports: declared existing = true so that the
	// adopted user keeps its memberships.
	referredGroups map[string]bool
	// referredUsers are members of adopted groups that the stack neither
	// declares nor imports: declared existing = true so that they stay in
	// the groups.
	referredUsers []referredUser
	res           *Result
}

// grantOut is an inline policy recognised as a grant or deny.
type grantOut struct {
	block      string // "grant" or "deny"
	label      string
	principal  hcl.Traversal
	roles      []string
	policyName string
}

func (g *generator) comment(body *hclwrite.Body) *commentWriter {
	return &commentWriter{body: body}
}

type commentWriter struct{ body *hclwrite.Body }

func (c *commentWriter) Write(p []byte) (int, error) {
	c.WriteString(string(p))
	return len(p), nil
}

func (c *commentWriter) WriteString(s string) {
	c.body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# " + s + "\n")}})
}

// indexConfig records the ARNs the stack already declares, so that the
// generated code refers to them, and the labels it uses.
func (g *generator) indexConfig() {
	cfg := g.in.Config
	part := func(id string) string {
		for _, a := range cfg.Accounts {
			if a.ID == id {
				return a.Partition
			}
		}
		return "aws"
	}
	for _, a := range cfg.Accounts {
		g.ref(model.RootARN(a.Partition, a.ID), a.Address)
		g.ref(a.ID, a.Address)
		g.take(a.Address)
	}
	for _, r := range cfg.Roles {
		g.ref(model.RoleARN(part(r.Account), r.Account, r.Path, r.Name), r.Address)
		g.take(r.Address)
	}
	for _, p := range cfg.Policies {
		g.ref(model.PolicyARN(part(p.Account), p.Account, p.Path, p.Name), p.Address)
		g.take(p.Address)
	}
	for _, u := range cfg.Users {
		g.ref(model.UserARN(part(u.Account), u.Account, u.Path, u.Name), u.Address)
		g.take(u.Address)
	}
	for _, gr := range cfg.Groups {
		g.take(gr.Address)
	}
	for _, gt := range cfg.Grants {
		g.take(gt.Address)
	}
}

func (g *generator) ref(arn, address string) {
	if t, diags := hclsyntax.ParseTraversalAbs([]byte(address), "", hcl.InitialPos); !diags.HasErrors() {
		g.refs[arn] = t
	}
}

// take marks a label as used; for a for_each address, the label before the key.
func (g *generator) take(address string) {
	if i := strings.IndexByte(address, '['); i >= 0 {
		address = address[:i]
	}
	g.taken[address] = true
}

// declared reports whether the stack declares an object of the account.
func (g *generator) declared(kind model.Kind, name string) bool {
	cfg, id := g.in.Config, g.in.Account.ID
	same := func(acct, n string) bool { return acct == id && model.NameKey(n) == model.NameKey(name) }
	switch kind {
	case model.KindRole:
		return slices.ContainsFunc(cfg.Roles, func(r *model.RoleConfig) bool { return same(r.Account, r.Name) })
	case model.KindPolicy:
		return slices.ContainsFunc(cfg.Policies, func(p *model.PolicyConfig) bool { return same(p.Account, p.Name) })
	case model.KindGroup:
		return slices.ContainsFunc(cfg.Groups, func(gr *model.GroupConfig) bool { return same(gr.Account, gr.Name) })
	case model.KindUser:
		return slices.ContainsFunc(cfg.Users, func(u *model.UserConfig) bool { return same(u.Account, u.Name) })
	}
	return false
}

// selectObjects chooses what to import and gives each a label.
func (g *generator) selectObjects() {
	a, stack := g.in.Read, g.in.Stack
	g.labels = map[model.Key]string{}
	g.referredGroups = map[string]bool{}
	otherOwner := ownership.ForeignOwners(a, stack)
	consider := func(kind model.Kind, name, pth string, owned bool) bool {
		why := ""
		switch {
		case g.in.Match != "" && !matches(g.in.Match, name):
			return false
		case owned:
			why = "the stack already owns it"
		case g.declared(kind, name):
			why = "the stack already declares it"
		case otherOwner(kind, name) != "":
			why = "trustform stack " + strconv.Quote(otherOwner(kind, name)) + " owns it"
		case kind == model.KindRole && strings.HasPrefix(pth, "/aws-service-role/"):
			why = "a service-linked role belongs to its AWS service, which alone may change it"
		case kind == model.KindRole && strings.HasPrefix(pth, "/aws-reserved/"):
			why = "a role AWS reserves (IAM Identity Center, for example) is managed by AWS"
		case kind == model.KindRole && g.in.Skip[model.NameKey(name)] != "":
			why = g.in.Skip[model.NameKey(name)]
		case kind == model.KindPolicy && isLedgerOfAnyStack(name):
			why = "it records another stack's adopted objects"
		}
		if why != "" {
			g.res.Skipped = append(g.res.Skipped, Item{Kind: kind, Name: name, Reason: why})
			return false
		}
		return true
	}
	for _, k := range slices.Sorted(maps.Keys(a.Policies)) {
		if p := a.Policies[k]; consider(model.KindPolicy, p.Name, p.Path, p.Owned) {
			g.policies = append(g.policies, p)
			g.assign(model.KindPolicy, p.Name, model.PolicyARN(a.Partition, a.ID, p.Path, p.Name))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(a.Groups)) {
		if gr := a.Groups[k]; consider(model.KindGroup, gr.Name, gr.Path, gr.Owned) {
			g.groups = append(g.groups, gr)
			g.assign(model.KindGroup, gr.Name, model.GroupARN(a.Partition, a.ID, gr.Path, gr.Name))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(a.Users)) {
		if u := a.Users[k]; consider(model.KindUser, u.Name, u.Path, u.Owned) {
			g.users = append(g.users, u)
			g.assign(model.KindUser, u.Name, model.UserARN(a.Partition, a.ID, u.Path, u.Name))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(a.Roles)) {
		if r := a.Roles[k]; consider(model.KindRole, r.Name, r.Path, r.Owned) {
			g.roles = append(g.roles, r)
			g.assign(model.KindRole, r.Name, model.RoleARN(a.Partition, a.ID, r.Path, r.Name))
		}
	}
	// An adopted user's groups must be declared, or the plan would remove
	// the user from them.
	for _, u := range g.users {
		for _, name := range u.Groups {
			if g.groupRef(name) == nil {
				g.referredGroups[name] = true
				g.assign(model.KindGroup, name, "")
			}
		}
	}
	// So must an adopted group's members: an owned group's memberships are
	// the stack's, and a member no block declares would be taken out of it.
	// Members import does not write (left out by --match) are declared
	// existing = true; those the stack declares already or another stack
	// owns are left as they are (the check after import lists what the
	// plan would change).
	adoptedGroups := map[string]bool{}
	for _, gr := range g.groups {
		adoptedGroups[model.NameKey(gr.Name)] = true
	}
	for _, k := range slices.Sorted(maps.Keys(a.Users)) {
		u := a.Users[k]
		if g.label(model.KindUser, u.Name) != "" || u.Owned || g.declared(model.KindUser, u.Name) || otherOwner(model.KindUser, u.Name) != "" {
			continue
		}
		var in []string
		for _, name := range u.Groups {
			if adoptedGroups[model.NameKey(name)] {
				in = append(in, name)
			}
		}
		if len(in) > 0 {
			g.referredUsers = append(g.referredUsers, referredUser{name: u.Name, groups: in})
			g.assign(model.KindUser, u.Name, "")
		}
	}
}

// referredUser is a member of an adopted group that import does not adopt.
type referredUser struct {
	name   string
	groups []string // the adopted groups it is in
}

var ledgerName = regexp.MustCompile(`^trustform\.[A-Za-z0-9_-]+\.adopted(\.[0-9]+)?$`)

func isLedgerOfAnyStack(name string) bool { return ledgerName.MatchString(name) }

func matches(pattern, name string) bool {
	ok, _ := path.Match(pattern, name)
	return ok
}

// assign gives an imported object a label unique among the stack's blocks
// of its type, and records the reference to it.
func (g *generator) assign(kind model.Kind, name, arn string) {
	typ := blockType(kind)
	base := Label(name)
	label := base
	for n := 2; g.taken[typ+"."+label]; n++ {
		label = base + "_" + strconv.Itoa(n)
	}
	g.taken[typ+"."+label] = true
	g.labels[model.PrincipalKey(g.in.Account.ID, kind, name)] = label
	if arn != "" {
		g.refs[arn] = traversal(typ, label)
	}
}

func blockType(kind model.Kind) string {
	if kind == model.KindPolicy {
		return "policy"
	}
	return string(kind)
}

var (
	camelBoundary = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	nonLabel      = regexp.MustCompile(`[^a-z0-9_]+`)
)

// Label turns an IAM name into a block label: snake case, letters, digits
// and underscores, starting with a letter ("UpdateApp" → "update_app",
// "read-write-app-bucket" → "read_write_app_bucket").
func Label(name string) string {
	s := camelBoundary.ReplaceAllString(name, "${1}_${2}")
	s = strings.Trim(nonLabel.ReplaceAllString(strings.ToLower(s), "_"), "_")
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		s = "x_" + s
	}
	return s
}

func traversal(root string, attrs ...string) hcl.Traversal {
	t := hcl.Traversal{hcl.TraverseRoot{Name: root}}
	for _, a := range attrs {
		t = append(t, hcl.TraverseAttr{Name: a})
	}
	return t
}

func (g *generator) label(kind model.Kind, name string) string {
	return g.labels[model.PrincipalKey(g.in.Account.ID, kind, name)]
}

// groupRef is the reference to a group of the account by name, declared in
// the stack or imported now.
func (g *generator) groupRef(name string) hcl.Traversal {
	if l := g.label(model.KindGroup, name); l != "" {
		return traversal("group", l)
	}
	for _, gr := range g.in.Config.Groups {
		if gr.Account == g.in.Account.ID && model.NameKey(gr.Name) == model.NameKey(name) {
			if t, diags := hclsyntax.ParseTraversalAbs([]byte(gr.Address), "", hcl.InitialPos); !diags.HasErrors() {
				return t
			}
		}
	}
	return nil
}

// arnTokens refers to the block an ARN names when there is one, else
// writes the ARN.
func (g *generator) arnTokens(arn string) hclwrite.Tokens {
	if t, ok := g.refs[arn]; ok {
		return hclwrite.TokensForTraversal(t)
	}
	return hclwrite.TokensForValue(cty.StringVal(arn))
}

func (g *generator) arnList(arns []string) hclwrite.Tokens {
	elems := make([]hclwrite.Tokens, 0, len(arns))
	for _, a := range arns {
		elems = append(elems, g.arnTokens(a))
	}
	return hclwrite.TokensForTuple(elems)
}

func (g *generator) imported(kind model.Kind, name, address, how string) {
	g.res.Imported = append(g.res.Imported, Item{Kind: kind, Name: name, Address: address, Reason: how})
}

func (g *generator) header(body *hclwrite.Body, typ, label, name string) *hclwrite.Body {
	body.AppendNewline()
	b := body.AppendNewBlock(typ, []string{label}).Body()
	b.SetAttributeTraversal("account", g.accountRef())
	b.SetAttributeValue("name", cty.StringVal(name))
	return b
}

func (g *generator) accountRef() hcl.Traversal {
	t, diags := hclsyntax.ParseTraversalAbs([]byte(g.in.Account.Address), "", hcl.InitialPos)
	if diags.HasErrors() {
		return traversal("account", g.in.Account.Name)
	}
	return t
}

func setPath(b *hclwrite.Body, p string) {
	if p != "" && p != "/" {
		b.SetAttributeValue("path", cty.StringVal(p))
	}
}

func (g *generator) writePolicy(body *hclwrite.Body, p *model.ManagedPolicy) {
	label := g.label(model.KindPolicy, p.Name)
	b := g.header(body, "policy", label, p.Name)
	setPath(b, p.Path)
	if p.Description != "" {
		b.SetAttributeValue("description", cty.StringVal(p.Description))
	}
	b.SetAttributeValue("adopt", cty.True)
	how := g.writeDocument(b, p.Document)
	g.imported(model.KindPolicy, p.Name, "policy."+label, how)
}

func (g *generator) writeGroup(body *hclwrite.Body, gr *model.Group) {
	label := g.label(model.KindGroup, gr.Name)
	b := g.header(body, "group", label, gr.Name)
	setPath(b, gr.Path)
	b.SetAttributeValue("adopt", cty.True)
	g.writeAttached(b, gr.AttachedPolicies)
	g.writeInline(b, model.KindGroup, gr.Name, traversal("group", label), gr.InlinePolicies)
	g.imported(model.KindGroup, gr.Name, "group."+label, "")
}

func (g *generator) writeExistingGroup(body *hclwrite.Body, name string) {
	label := g.label(model.KindGroup, name)
	body.AppendNewline()
	fmt.Fprintf(g.comment(body), "Not imported (left out by --match); declared so that adopted users keep their membership.")
	b := body.AppendNewBlock("group", []string{label}).Body()
	b.SetAttributeTraversal("account", g.accountRef())
	b.SetAttributeValue("name", cty.StringVal(name))
	b.SetAttributeValue("existing", cty.True)
	g.imported(model.KindGroup, name, "group."+label, "existing = true, for the memberships of adopted users")
}

func (g *generator) writeExistingUser(body *hclwrite.Body, u referredUser) {
	label := g.label(model.KindUser, u.name)
	body.AppendNewline()
	fmt.Fprintf(g.comment(body), "Not imported (left out by --match); declared so that it stays in the adopted groups.")
	b := body.AppendNewBlock("user", []string{label}).Body()
	b.SetAttributeTraversal("account", g.accountRef())
	b.SetAttributeValue("name", cty.StringVal(u.name))
	b.SetAttributeValue("existing", cty.True)
	var elems []hclwrite.Tokens
	for _, name := range u.groups {
		elems = append(elems, hclwrite.TokensForTraversal(g.groupRef(name)))
	}
	b.SetAttributeRaw("groups", hclwrite.TokensForTuple(elems))
	g.imported(model.KindUser, u.name, "user."+label, "existing = true, for its membership of adopted groups")
}

func (g *generator) writeUser(body *hclwrite.Body, u *model.User) {
	label := g.label(model.KindUser, u.Name)
	b := g.header(body, "user", label, u.Name)
	setPath(b, u.Path)
	if len(u.Groups) > 0 {
		var elems []hclwrite.Tokens
		for _, name := range u.Groups {
			elems = append(elems, hclwrite.TokensForTraversal(g.groupRef(name)))
		}
		b.SetAttributeRaw("groups", hclwrite.TokensForTuple(elems))
	}
	b.SetAttributeValue("adopt", cty.True)
	writeTags(b, u.Tags)
	g.writeAttached(b, u.AttachedPolicies)
	g.writeBoundary(b, u.PermissionsBoundary)
	g.writeInline(b, model.KindUser, u.Name, traversal("user", label), u.InlinePolicies)
	g.imported(model.KindUser, u.Name, "user."+label, "")
}

func (g *generator) writeRole(body *hclwrite.Body, r *model.Role) {
	label := g.label(model.KindRole, r.Name)
	b := g.header(body, "role", label, r.Name)
	setPath(b, r.Path)
	if r.Description != "" {
		b.SetAttributeValue("description", cty.StringVal(r.Description))
	}
	if r.MaxSessionDuration != 0 && r.MaxSessionDuration != model.DefaultMaxSessionDuration {
		b.SetAttributeValue("max_session_duration", cty.NumberIntVal(int64(r.MaxSessionDuration)))
	}
	b.SetAttributeValue("adopt", cty.True)
	writeTags(b, r.Tags)
	g.writeAttached(b, r.AttachedPolicies)
	g.writeBoundary(b, r.PermissionsBoundary)
	how := g.writeTrust(b, r.TrustPolicy)
	// A role's inline policies stay inline_policy blocks: a grant on a role
	// is rare, and the block keeps it next to the role it belongs to.
	for _, name := range slices.Sorted(maps.Keys(r.InlinePolicies)) {
		b.AppendNewline()
		ib := b.AppendNewBlock("inline_policy", []string{name}).Body()
		g.writeDocument(ib, r.InlinePolicies[name])
	}
	g.imported(model.KindRole, r.Name, "role."+label, how)
}

// writeBoundary writes a permissions boundary, as a reference when the
// import writes its policy too. Leaving it out would make the adopting plan
// remove it: a boundary taken away widens what the principal may do.
func (g *generator) writeBoundary(b *hclwrite.Body, arn string) {
	if arn != "" {
		b.SetAttributeRaw("permissions_boundary", g.arnTokens(arn))
	}
}

func (g *generator) writeAttached(b *hclwrite.Body, arns []string) {
	if len(arns) > 0 {
		b.SetAttributeRaw("managed_policies", g.arnList(slices.Sorted(slices.Values(arns))))
	}
}

// writeInline writes a group's or user's inline policies: grants and denies
// as their own blocks (collected for the end of the file), the rest as
// inline_policy blocks.
func (g *generator) writeInline(b *hclwrite.Body, kind model.Kind, principal string, ref hcl.Traversal, inline map[string]string) {
	for _, name := range slices.Sorted(maps.Keys(inline)) {
		doc := inline[name]
		if owner := ownership.InlineOwner(name); owner != "" {
			// A grant or deny of a stack that declares the principal
			// existing = true: that stack keeps it, and declaring it here
			// too would have two stacks undo each other's changes to it.
			g.res.Skipped = append(g.res.Skipped, Item{Kind: model.KindInline, Name: name,
				Reason: fmt.Sprintf("on %s %q, trustform stack %q's own (its prefix): that stack keeps it", kind, principal, owner)})
			continue
		}
		if effect, roles, ok := assumeRoleGrant(doc); ok {
			block := "grant"
			if effect == "Deny" {
				block = "deny"
			}
			base := Label(g.label(kind, principal) + "_" + name)
			label := base
			for n := 2; g.taken[block+"."+label]; n++ {
				label = base + "_" + strconv.Itoa(n)
			}
			g.taken[block+"."+label] = true
			g.grants = append(g.grants, grantOut{block: block, label: label, principal: ref, roles: roles, policyName: name})
			continue
		}
		b.AppendNewline()
		ib := b.AppendNewBlock("inline_policy", []string{name}).Body()
		g.writeDocument(ib, doc)
	}
}

func (g *generator) writeGrant(body *hclwrite.Body, gt grantOut) {
	body.AppendNewline()
	b := body.AppendNewBlock(gt.block, []string{gt.label}).Body()
	b.SetAttributeRaw("to", hclwrite.TokensForTuple([]hclwrite.Tokens{hclwrite.TokensForTraversal(gt.principal)}))
	b.SetAttributeRaw("roles", g.arnList(gt.roles))
	b.SetAttributeValue("policy_name", cty.StringVal(gt.policyName))
	g.imported(model.Kind(gt.block), gt.policyName, gt.block+"."+gt.label, "inline policy "+strconv.Quote(gt.policyName))
}

// assumeRoleGrant recognises the inline policy a grant or deny renders: one
// statement, no Sid or condition, allowing or denying exactly sts:AssumeRole
// on roles named by ARN.
func assumeRoleGrant(doc string) (effect string, roles []string, ok bool) {
	d, err := policy.Parse(doc)
	if err != nil || d.Version != policy.Version || d.ID != "" || len(d.Statements) != 1 {
		return "", nil, false
	}
	s := d.Statements[0]
	if s.Sid != "" || len(s.Conditions) > 0 || s.NotActions != nil || s.NotResources != nil || s.Principals != nil || s.NotPrincipals != nil {
		return "", nil, false
	}
	if len(s.Actions) != 1 || !strings.EqualFold(s.Actions[0], policy.ActionAssumeRole) || len(s.Resources) == 0 {
		return "", nil, false
	}
	for _, r := range s.Resources {
		if !schema.RoleARNPattern.MatchString(r) {
			return "", nil, false
		}
	}
	return s.Effect, slices.Sorted(slices.Values(s.Resources)), true
}

func writeTags(b *hclwrite.Body, tags map[string]string) {
	m := map[string]cty.Value{}
	for k, v := range tags {
		// AWS's own tags, and trustform's ownership tag and record of what
		// a stack applied: a stack cannot declare them.
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "aws:") || lk == strings.ToLower(ownership.OwnerTagKey) ||
			strings.HasPrefix(lk, strings.ToLower(ownership.AppliedTagKey)) {
			continue
		}
		m[k] = cty.StringVal(v)
	}
	if len(m) > 0 {
		b.SetAttributeValue("tags", cty.MapVal(m))
	}
}

// writeDocument writes a permissions policy as statement blocks when they
// render the same document, else as jsonencode() of the document as read.
func (g *generator) writeDocument(b *hclwrite.Body, doc string) string {
	d, err := policy.Parse(doc)
	if err == nil && statementsFit(d) {
		for _, s := range d.Statements {
			sb := b.AppendNewBlock("statement", nil).Body()
			if s.Sid != "" {
				sb.SetAttributeValue("sid", cty.StringVal(s.Sid))
			}
			if s.Effect != "Allow" {
				sb.SetAttributeValue("effect", cty.StringVal(s.Effect))
			}
			setList(sb, "actions", s.Actions)
			setList(sb, "not_actions", s.NotActions)
			setList(sb, "resources", s.Resources)
			setList(sb, "not_resources", s.NotResources)
			writeConditions(sb, s.Conditions, nil)
		}
		return "statement blocks"
	}
	b.SetAttributeRaw("document", jsonencode(doc))
	return "document"
}

func statementsFit(d policy.Document) bool {
	if d.Version != policy.Version || d.ID != "" || len(d.Statements) == 0 {
		return false
	}
	for _, s := range d.Statements {
		if s.Principals != nil || s.NotPrincipals != nil || !schema.SidPattern.MatchString(s.Sid) ||
			(s.Effect != "Allow" && s.Effect != "Deny") ||
			(len(s.Actions) == 0) == (len(s.NotActions) == 0) ||
			(len(s.Resources) == 0) == (len(s.NotResources) == 0) || !conditionsFit(s.Conditions) {
			return false
		}
	}
	return true
}

func conditionsFit(c map[string]map[string][]string) bool {
	for _, keys := range c {
		for _, values := range keys {
			if len(values) == 0 {
				return false
			}
		}
	}
	return true
}

func setList(b *hclwrite.Body, name string, values []string) {
	if len(values) == 0 {
		return
	}
	vals := make([]cty.Value, 0, len(values))
	for _, v := range values {
		vals = append(vals, cty.StringVal(v))
	}
	b.SetAttributeValue(name, cty.ListVal(vals))
}

// writeConditions writes condition blocks in a stable order, leaving out the
// conditions skip says are written another way (require_mfa, external_id).
func writeConditions(b *hclwrite.Body, c map[string]map[string][]string, skip func(test, variable string) bool) {
	for _, test := range slices.Sorted(maps.Keys(c)) {
		for _, variable := range slices.Sorted(maps.Keys(c[test])) {
			if skip != nil && skip(test, variable) {
				continue
			}
			cb := b.AppendNewBlock("condition", nil).Body()
			cb.SetAttributeValue("test", cty.StringVal(test))
			cb.SetAttributeValue("variable", cty.StringVal(variable))
			setList(cb, "values", c[test][variable])
		}
	}
}

// jsonencode renders a JSON document as an HCL jsonencode() call, so that
// it reads as HCL and stays exactly the document it was.
func jsonencode(doc string) hclwrite.Tokens {
	ty, err := ctyjson.ImpliedType([]byte(doc))
	if err == nil {
		if v, err := ctyjson.Unmarshal([]byte(doc), ty); err == nil {
			return hclwrite.TokensForFunctionCall("jsonencode", hclwrite.TokensForValue(v))
		}
	}
	return hclwrite.TokensForValue(cty.StringVal(doc))
}

// writeTrust writes a trust policy as trust blocks when they render the same
// document, else as trust_document.
func (g *generator) writeTrust(b *hclwrite.Body, doc string) string {
	d, err := policy.Parse(doc)
	if err != nil || !trustFits(d) {
		b.SetAttributeRaw("trust_document", jsonencode(doc))
		return "trust_document"
	}
	for _, s := range d.Statements {
		b.AppendNewline()
		tb := b.AppendNewBlock("trust", nil).Body()
		var accounts, principals []string
		for _, p := range s.Principals["AWS"] {
			if policy.IsAccountID(p) {
				p = model.RootARN(g.in.Account.Partition, p)
			}
			_, root := model.RootAccount(p)
			if t, ok := g.refs[p]; ok && root && t.RootName() == "account" {
				accounts = append(accounts, p)
			} else {
				principals = append(principals, p)
			}
		}
		if len(accounts) > 0 {
			tb.SetAttributeRaw("accounts", g.arnList(accounts))
		}
		if len(principals) > 0 {
			tb.SetAttributeRaw("principals", g.arnList(principals))
		}
		setList(tb, "services", s.Principals["Service"])
		// Exactly as a trust block writes them (policy.KeyMFAPresent,
		// policy.KeyExternalID), so that the blocks render the document.
		mfa := slices.Equal(s.Conditions["Bool"][policy.KeyMFAPresent], []string{"true"})
		externalIDs := s.Conditions["StringEquals"][policy.KeyExternalID]
		if mfa {
			tb.SetAttributeValue("require_mfa", cty.True)
		}
		if len(externalIDs) == 1 {
			tb.SetAttributeValue("external_id", cty.StringVal(externalIDs[0]))
		}
		writeConditions(tb, s.Conditions, func(test, variable string) bool {
			return (mfa && test == "Bool" && variable == policy.KeyMFAPresent) ||
				(len(externalIDs) == 1 && test == "StringEquals" && variable == policy.KeyExternalID)
		})
	}
	return "trust blocks"
}

// trustFits reports whether trust blocks render the document: statements
// without Sid allowing exactly sts:AssumeRole to AWS principals or services.
func trustFits(d policy.Document) bool {
	if d.Version != policy.Version || d.ID != "" || len(d.Statements) == 0 {
		return false
	}
	for _, s := range d.Statements {
		if s.Sid != "" || s.Effect != "Allow" || len(s.Actions) != 1 || !strings.EqualFold(s.Actions[0], policy.ActionAssumeRole) ||
			s.NotActions != nil || s.Resources != nil || s.NotResources != nil || s.NotPrincipals != nil ||
			len(s.Principals) == 0 || !conditionsFit(s.Conditions) {
			return false
		}
		for typ, values := range s.Principals {
			if (typ != "AWS" && typ != "Service") || len(values) == 0 {
				return false
			}
			for _, v := range values {
				if typ == "AWS" && !schema.PrincipalARNPattern.MatchString(v) && !policy.IsAccountID(v) {
					return false
				}
			}
		}
	}
	return true
}
