package views

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// The trust graph of a stack, from its configuration alone: accounts as
// clusters; groups, users and roles as nodes; edges for trust (a role's
// trust policy names a principal), grants ("may assume"), denies and group
// memberships. Graphviz (DOT) and Mermaid render the same graph. Everything
// is sorted, so the same stack always gives the same text and golden files
// and reviews show only real changes.

// Graph is a stack's trust graph, ready to be rendered.
type Graph struct {
	stack    string
	clusters []*graphCluster
	loose    []*graphNode // principals of no account: services, federated providers, "*"
	edges    []graphEdge
}

type graphCluster struct {
	account  string // the account id
	label    string
	declared bool
	name     string // the account's name, for sorting
	nodes    []*graphNode
}

type graphNode struct {
	id    string
	label string
	kind  string // account, group, user, role, session, service, federated, anyone, other
}

// edgeKind orders the edges: trust first, then grants, denies, memberships.
type edgeKind int

const (
	edgeTrust edgeKind = iota
	edgeGrant
	edgeDeny
	edgeMember
)

type graphEdge struct {
	from, to *graphNode
	kind     edgeKind
	label    string
}

// kindOrder places the nodes of a cluster: the account's root first, then
// groups, users, roles and the rest.
var kindOrder = map[string]int{"account": 0, "group": 1, "user": 2, "role": 3, "session": 4, "other": 5}

// graphBuilder registers each principal once, by account, kind and name
// (IAM names are unique per kind in an account without regard to case).
type graphBuilder struct {
	x        *stackIndex
	g        *Graph
	nodes    map[string]*graphNode
	clusters map[string]*graphCluster
	ids      map[string]bool
	edges    map[graphEdge]bool
}

// BuildGraph makes the trust graph of a stack from its configuration.
func BuildGraph(cfg *model.Config) (*Graph, error) {
	b := &graphBuilder{
		x: newStackIndex(cfg), g: &Graph{stack: cfg.Stack.Name},
		nodes: map[string]*graphNode{}, clusters: map[string]*graphCluster{}, ids: map[string]bool{}, edges: map[graphEdge]bool{},
	}
	for _, a := range cfg.Accounts {
		b.cluster(a.ID)
	}
	// Declared principals first, in a fixed order, so that node ids (which
	// get a suffix on a clash) do not depend on the order of the files.
	groups := slices.Clone(cfg.Groups)
	slices.SortFunc(groups, func(a, b *model.GroupConfig) int { return strings.Compare(a.Address, b.Address) })
	for _, g := range groups {
		b.principal(g.Account, "group", "/", g.Name)
	}
	users := slices.Clone(cfg.Users)
	slices.SortFunc(users, func(a, b *model.UserConfig) int { return strings.Compare(a.Address, b.Address) })
	for _, u := range users {
		b.principal(u.Account, "user", u.Path, u.Name)
	}
	roles := slices.Clone(cfg.Roles)
	slices.SortFunc(roles, func(a, b *model.RoleConfig) int { return strings.Compare(a.Address, b.Address) })
	for _, r := range roles {
		b.principal(r.Account, "role", r.Path, r.Name)
	}

	for _, r := range roles {
		stmts, err := readTrust(r.TrustDocument)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Address, err)
		}
		to := b.principal(r.Account, "role", r.Path, r.Name)
		for _, s := range stmts {
			label := "trusted" + edgeConditions(s)
			for _, tp := range s.principals {
				b.edge(b.trusted(classify(tp)), to, edgeTrust, label)
			}
		}
	}
	grants := slices.Clone(cfg.Grants)
	slices.SortFunc(grants, func(a, b *model.GrantConfig) int { return strings.Compare(a.Address, b.Address) })
	for _, g := range grants {
		kind, label := edgeGrant, "may assume"
		if g.Effect == "Deny" {
			kind, label = edgeDeny, "denied"
		}
		for _, p := range g.To {
			from := b.principal(p.Account, string(p.Kind), pathOfARN(p.ARN), p.Name)
			for _, arn := range g.Roles {
				b.edge(from, b.trusted(classify(trustedPrincipal{Type: "AWS", Value: arn})), kind, label)
			}
		}
	}
	for _, u := range users {
		for _, grp := range u.Groups {
			b.edge(b.principal(u.Account, "user", u.Path, u.Name), b.principal(u.Account, "group", "/", grp), edgeMember, "member of")
		}
	}
	b.finish()
	return b.g, nil
}

// edgeConditions is what a trust statement asks of the caller, for an edge
// label: every test as the policy writes it, in the words of who-can,
// " (with MFA)", ` (with ExternalId "x", with StringLike sts:RoleSessionName
// "ci-*")`; "" when nothing.
func edgeConditions(s trustStatement) string {
	if len(s.conditions) == 0 {
		return ""
	}
	return " (" + strings.Join(s.conditions, ", ") + ")"
}

// pathOfARN is the IAM path of a user, group or role ARN ("/" when none).
func pathOfARN(arn string) string {
	if p, err := model.ParsePrincipal(arn); err == nil && p.Path != "" {
		return p.Path
	}
	return "/"
}

func (b *graphBuilder) cluster(account string) *graphCluster {
	if c := b.clusters[account]; c != nil {
		return c
	}
	c := &graphCluster{account: account, label: "account " + b.x.accountLabel(account)}
	if a := b.x.accounts[account]; a != nil {
		c.declared, c.name = true, a.Name
	}
	b.clusters[account] = c
	b.g.clusters = append(b.g.clusters, c)
	return c
}

// principal is the node of a group, user or role, made on first use.
func (b *graphBuilder) principal(account, kind, path, name string) *graphNode {
	key := kind + "\x00" + account + "\x00" + strings.ToLower(name)
	if n := b.nodes[key]; n != nil {
		return n
	}
	label := kind + " " + pathName(pathOrRoot(path), name)
	declared := (kind == "group" && b.declaredGroup(account, name)) ||
		(kind == "user" && b.x.user(account, name) != nil) || (kind == "role" && b.x.role(account, name) != nil)
	if !declared && b.x.accounts[account] != nil {
		// An outside principal in a declared account: say so, since the
		// cluster alone would suggest the stack knows it.
		label += " (not in the stack)"
	}
	n := &graphNode{id: b.id(kind + "_" + account + "_" + name), label: label, kind: kind}
	b.nodes[key] = n
	c := b.cluster(account)
	c.nodes = append(c.nodes, n)
	return n
}

func (b *graphBuilder) declaredGroup(account, name string) bool {
	for _, g := range b.x.cfg.Groups {
		if g.Account == account && strings.EqualFold(g.Name, name) {
			return true
		}
	}
	return false
}

func pathOrRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// trusted is the node of a principal a trust policy (or a grant's role ARN)
// names.
func (b *graphBuilder) trusted(p principalInfo) *graphNode {
	switch p.kind {
	case "user", "role":
		return b.principal(p.account, p.kind, p.path, p.name)
	case "account":
		key := "account\x00" + p.account
		if n := b.nodes[key]; n != nil {
			return n
		}
		label := "account " + p.account
		if a := b.x.accounts[p.account]; a != nil {
			label = "account " + a.Name
		}
		n := &graphNode{id: b.id("root_" + p.account), label: label, kind: "account"}
		b.nodes[key] = n
		c := b.cluster(p.account)
		c.nodes = append(c.nodes, n)
		return n
	case "session":
		return b.inCluster(p.account, "session", "session "+p.name, p.value)
	}
	if p.account != "" {
		return b.inCluster(p.account, "other", p.value, p.value)
	}
	key := p.kind + "\x00" + p.value
	if n := b.nodes[key]; n != nil {
		return n
	}
	label := b.x.describe(p)
	n := &graphNode{id: b.id(p.kind + "_" + p.name), label: label, kind: p.kind}
	if p.kind == "anyone" || p.kind == "other" {
		n.id = b.id(p.kind + "_" + p.value)
	}
	b.nodes[key] = n
	b.g.loose = append(b.g.loose, n)
	return n
}

func (b *graphBuilder) inCluster(account, kind, label, value string) *graphNode {
	key := kind + "\x00" + value
	if n := b.nodes[key]; n != nil {
		return n
	}
	n := &graphNode{id: b.id(kind + "_" + value), label: label, kind: kind}
	b.nodes[key] = n
	c := b.cluster(account)
	c.nodes = append(c.nodes, n)
	return n
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// id makes a node id both DOT and Mermaid accept unquoted: letters, digits
// and "_", starting with a letter, with a numeric suffix when two
// principals' names differ only in the characters replaced.
func (b *graphBuilder) id(raw string) string {
	base := strings.Trim(unsafeID.ReplaceAllString(raw, "_"), "_")
	id := base
	for i := 2; b.ids[id]; i++ {
		id = base + "_" + strconv.Itoa(i)
	}
	b.ids[id] = true
	return id
}

func (b *graphBuilder) edge(from, to *graphNode, kind edgeKind, label string) {
	e := graphEdge{from: from, to: to, kind: kind, label: label}
	if b.edges[e] {
		return
	}
	b.edges[e] = true
	b.g.edges = append(b.g.edges, e)
}

// finish sorts everything: declared accounts by name, then the others by
// id; nodes by kind and label; edges by kind, then their ends' ids.
func (b *graphBuilder) finish() {
	g := b.g
	slices.SortFunc(g.clusters, func(a, c *graphCluster) int {
		if a.declared != c.declared {
			if a.declared {
				return -1
			}
			return 1
		}
		if n := strings.Compare(a.name, c.name); n != 0 {
			return n
		}
		return strings.Compare(a.account, c.account)
	})
	byNode := func(a, c *graphNode) int {
		if n := kindOrder[a.kind] - kindOrder[c.kind]; n != 0 {
			return n
		}
		if n := strings.Compare(a.label, c.label); n != 0 {
			return n
		}
		return strings.Compare(a.id, c.id)
	}
	for _, c := range g.clusters {
		slices.SortFunc(c.nodes, byNode)
	}
	slices.SortFunc(g.loose, byNode)
	slices.SortFunc(g.edges, func(a, c graphEdge) int {
		if a.kind != c.kind {
			return int(a.kind) - int(c.kind)
		}
		if n := strings.Compare(a.from.id, c.from.id); n != 0 {
			return n
		}
		if n := strings.Compare(a.to.id, c.to.id); n != 0 {
			return n
		}
		return strings.Compare(a.label, c.label)
	})
}

// Graphviz node shapes per kind, and edge styles per kind of edge.
var dotShapes = map[string]string{
	"account": "house", "group": "folder", "user": "ellipse", "role": "box", "session": "box",
	"service": "component", "federated": "component", "anyone": "doubleoctagon", "other": "note",
}

var dotEdgeStyle = map[edgeKind]string{
	edgeTrust:  `color="gray30", fontcolor="gray30", style=solid`,
	edgeGrant:  `color="darkgreen", fontcolor="darkgreen", style=solid`,
	edgeDeny:   `color="red", fontcolor="red", style=dashed`,
	edgeMember: `color="gray60", fontcolor="gray60", style=dotted`,
}

// DOT renders the graph for Graphviz: `dot -Tsvg`.
func (g *Graph) DOT() string {
	var b strings.Builder
	fmt.Fprintf(&b, "// The trust graph of stack %q, made by `trustform graph` from the configuration.\n", g.stack)
	b.WriteString("// Edges: trust (gray), grants (green, solid), denies (red, dashed), group memberships (gray, dotted).\n")
	fmt.Fprintf(&b, "digraph %s {\n", dotString(g.stack))
	b.WriteString("  rankdir=LR;\n  fontname=\"Helvetica\";\n")
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	node := func(indent string, n *graphNode) {
		style := ""
		if n.kind == "role" || n.kind == "session" {
			style = `, style=rounded`
		}
		fmt.Fprintf(&b, "%s%s [label=%s, shape=%s%s];\n", indent, n.id, dotString(n.label), dotShapes[n.kind], style)
	}
	for _, c := range g.clusters {
		fmt.Fprintf(&b, "\n  subgraph cluster_%s {\n", c.account)
		fmt.Fprintf(&b, "    label=%s;\n    style=rounded;\n", dotString(c.label))
		for _, n := range c.nodes {
			node("    ", n)
		}
		b.WriteString("  }\n")
	}
	if len(g.loose) > 0 {
		b.WriteString("\n")
	}
	for _, n := range g.loose {
		node("  ", n)
	}
	if len(g.edges) > 0 {
		b.WriteString("\n")
	}
	for _, e := range g.edges {
		fmt.Fprintf(&b, "  %s -> %s [label=%s, %s];\n", e.from.id, e.to.id, dotString(e.label), dotEdgeStyle[e.kind])
	}
	b.WriteString("}\n")
	return b.String()
}

// dotString quotes a DOT string: only '"' and '\' need escaping.
func dotString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// Mermaid node shapes per kind: the opening and closing brackets.
var mermaidShapes = map[string][2]string{
	"account": {`[/`, `\]`}, "group": {`[[`, `]]`}, "user": {`([`, `])`}, "role": {`{{`, `}}`}, "session": {`(`, `)`},
	"service": {`>`, `]`}, "federated": {`>`, `]`}, "anyone": {`((`, `))`}, "other": {`[`, `]`},
}

var mermaidArrow = map[edgeKind]string{edgeTrust: "-->", edgeGrant: "-->", edgeDeny: "-.->", edgeMember: "-.->"}

var mermaidEdgeStyle = map[edgeKind]string{
	edgeTrust:  "stroke:#555,color:#555",
	edgeGrant:  "stroke:green,color:green",
	edgeDeny:   "stroke:red,color:red,stroke-dasharray:6 4",
	edgeMember: "stroke:#999,color:#999",
}

// Mermaid renders the graph as a Mermaid flowchart. Edge colours are set by
// linkStyle, which refers to edges by their position, counted from 0 in
// the order they are written.
func (g *Graph) Mermaid() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%%%% The trust graph of stack %q, made by `trustform graph` from the configuration.\n", g.stack)
	b.WriteString("%% Edges: trust (gray), grants (green, solid), denies (red, dashed), group memberships (gray, dotted).\n")
	b.WriteString("flowchart LR\n")
	node := func(indent string, n *graphNode) {
		s := mermaidShapes[n.kind]
		fmt.Fprintf(&b, "%s%s%s\"%s\"%s\n", indent, n.id, s[0], mermaidText(n.label), s[1])
	}
	for _, c := range g.clusters {
		fmt.Fprintf(&b, "  subgraph acct_%s[\"%s\"]\n", c.account, mermaidText(c.label))
		for _, n := range c.nodes {
			node("    ", n)
		}
		b.WriteString("  end\n")
	}
	for _, n := range g.loose {
		node("  ", n)
	}
	byKind := map[edgeKind][]string{}
	for i, e := range g.edges {
		fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", e.from.id, mermaidArrow[e.kind], mermaidText(e.label), e.to.id)
		byKind[e.kind] = append(byKind[e.kind], strconv.Itoa(i))
	}
	for _, k := range []edgeKind{edgeTrust, edgeGrant, edgeDeny, edgeMember} {
		if len(byKind[k]) > 0 {
			fmt.Fprintf(&b, "  linkStyle %s %s\n", strings.Join(byKind[k], ","), mermaidEdgeStyle[k])
		}
	}
	return b.String()
}

// mermaidText escapes text for a quoted Mermaid label with its entity codes:
// IAM paths may hold '"', '#', '<', '>' and '&', which Mermaid would read as
// the end of the label, an entity or HTML.
func mermaidText(s string) string {
	return strings.NewReplacer(`#`, `#35;`, `"`, `#quot;`, `<`, `#lt;`, `>`, `#gt;`, `&`, `#amp;`).Replace(s)
}
