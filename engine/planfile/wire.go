package planfile

import (
	"fmt"

	"github.com/trustform/trustform/engine/model"
)

// The wire: Document and the structs it is made of are what a plan document
// is as JSON, and nothing else is; they are encoded and read as they are.
// None holds a type of the engine: FromPlan makes a document of the engine's
// plan and Document.Plan the engine's plan of a document, field by field
// (changeOf, objectOf and their model methods below). So a field added to
// the model stays out of plans until it is added here — a new field within
// format_version 2, and in docs/plan.schema.json — and the model's own JSON
// tags, which Fingerprint hashes, are not the plan's contract.
// TestDocumentHoldsNoModelTypes keeps it so.
//
// Every struct keeps the field order, tags and omitempty of format_version 2
// as it was first written (from the model's tags): the bytes are the
// contract, the saved plan's checksum is over them, and testdata/ pins them.

// Change is one change, in apply order. Action, kind and drift are plain
// strings: the values are the schema's enums, which Document.Plan checks
// when it reads a plan back.
type Change struct {
	Index      int        `json:"index"`
	Action     string     `json:"action"`
	Kind       string     `json:"kind"`
	Account    AccountRef `json:"account"`
	Address    string     `json:"address"` // unique in the plan, stable across plans
	Block      string     `json:"block"`   // the declaring block; "" when none does
	Drift      string     `json:"drift,omitempty"`
	Object     string     `json:"object"` // for people, e.g. role "UpdateApp"
	Key        Key        `json:"key"`
	Attributes []AttrDiff `json:"attributes"`
	DependsOn  []int      `json:"depends_on"`
	Before     *Object    `json:"before,omitempty"`
	After      *Object    `json:"after,omitempty"`
}

// AccountRef is the account a change is made in.
type AccountRef struct {
	Name      string `json:"name"`
	ID        string `json:"id"`
	Partition string `json:"partition"`
}

// Key identifies a change's object across plans (model.Key).
type Key struct {
	Account string `json:"account"`
	Kind    string `json:"kind"`
	ID      string `json:"id"`
}

// AttrDiff is one attribute a change sets or changes.
type AttrDiff struct {
	Name     string `json:"name"`
	Before   string `json:"before"`
	After    string `json:"after"`
	IsPolicy bool   `json:"is_policy"`
}

// Object holds exactly one IAM object: what a change creates, updates from
// or to, or deletes. The reader refuses one holding none or several
// (Object.model), as the schema does.
type Object struct {
	Role         *Role         `json:"role,omitempty"`
	Policy       *Policy       `json:"policy,omitempty"`
	Group        *Group        `json:"group,omitempty"`
	User         *User         `json:"user,omitempty"`
	InlinePolicy *InlinePolicy `json:"inline_policy,omitempty"`
	Attachment   *Attachment   `json:"attachment,omitempty"`
	Membership   *Membership   `json:"membership,omitempty"`
}

// Role is a role, its trust policy and what is attached to it.
type Role struct {
	Name                string            `json:"name"`
	Path                string            `json:"path"`
	Description         string            `json:"description,omitempty"`
	TrustPolicy         string            `json:"trust_policy"`
	MaxSessionDuration  int               `json:"max_session_duration"`
	PermissionsBoundary string            `json:"permissions_boundary,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
	AttachedPolicies    []string          `json:"attached_policies,omitempty"`
	InlinePolicies      map[string]string `json:"inline_policies,omitempty"`
	Owned               bool              `json:"owned"`
	Adopt               bool              `json:"adopt,omitempty"`
}

// Policy is a customer-managed policy and its default version.
type Policy struct {
	Name        string            `json:"name"`
	Path        string            `json:"path"`
	Description string            `json:"description,omitempty"`
	Document    string            `json:"document"`
	Tags        map[string]string `json:"tags,omitempty"`
	Owned       bool              `json:"owned"`
	Adopt       bool              `json:"adopt,omitempty"`
}

// Group is an IAM group.
type Group struct {
	Name             string            `json:"name"`
	Path             string            `json:"path"`
	AttachedPolicies []string          `json:"attached_policies,omitempty"`
	InlinePolicies   map[string]string `json:"inline_policies,omitempty"`
	Owned            bool              `json:"owned"`
	Adopt            bool              `json:"adopt,omitempty"`
}

// User is an IAM user and the groups it belongs to.
type User struct {
	Name                string            `json:"name"`
	Path                string            `json:"path"`
	Tags                map[string]string `json:"tags,omitempty"`
	PermissionsBoundary string            `json:"permissions_boundary,omitempty"`
	Groups              []string          `json:"groups,omitempty"`
	AttachedPolicies    []string          `json:"attached_policies,omitempty"`
	InlinePolicies      map[string]string `json:"inline_policies,omitempty"`
	Owned               bool              `json:"owned"`
	Adopt               bool              `json:"adopt,omitempty"`
}

// InlinePolicy is an inline policy of a role, group or user.
type InlinePolicy struct {
	PrincipalKind string `json:"principal_kind"`
	PrincipalName string `json:"principal_name"`
	Name          string `json:"name"`
	Document      string `json:"document"`
}

// Attachment is a managed policy attached to a role, group or user.
type Attachment struct {
	PrincipalKind string `json:"principal_kind"`
	PrincipalName string `json:"principal_name"`
	PolicyARN     string `json:"policy_arn"`
}

// Membership is a user's membership of a group.
type Membership struct {
	User  string `json:"user"`
	Group string `json:"group"`
}

// The conversions copy each field by name, and keep nil apart from empty
// (null from [] on the wire): a plan read back, rebuilt into the engine's
// plan and made a document again, encodes to the bytes it was read from,
// which the checksum needs (TestGoldenPlansRoundTrip).

// changeOf is the engine's change as a document holds it, but for what the
// model does not hold: the change's place in the plan and its name for
// people, which FromPlan sets.
func changeOf(c *model.Change) Change {
	d := Change{
		Action: string(c.Action), Kind: string(c.Kind),
		Account: AccountRef{Name: c.Account.Name, ID: c.Account.ID, Partition: c.Account.Partition},
		Address: c.Address, Block: c.Block, Drift: string(c.Drift),
		Key:       Key{Account: c.Key.Account, Kind: string(c.Key.Kind), ID: c.Key.ID},
		DependsOn: c.DependsOn, Before: objectOf(c.Before), After: objectOf(c.After),
	}
	if c.Attrs != nil {
		d.Attributes = make([]AttrDiff, len(c.Attrs))
		for i, a := range c.Attrs {
			d.Attributes[i] = AttrDiff{Name: a.Name, Before: a.Before, After: a.After, IsPolicy: a.IsPolicy}
		}
	}
	return d
}

// model is the change as the engine's plan holds it. Whether its action and
// dependencies make sense is Document.Plan's to judge; that each object is
// one object, Object.model's.
func (c Change) model() (*model.Change, error) {
	before, err := c.Before.model()
	if err != nil {
		return nil, err
	}
	after, err := c.After.model()
	if err != nil {
		return nil, err
	}
	m := &model.Change{
		Action: model.Action(c.Action), Kind: model.Kind(c.Kind),
		Account: model.AccountRef{Name: c.Account.Name, ID: c.Account.ID, Partition: c.Account.Partition},
		Key:     model.Key{Account: c.Key.Account, Kind: model.Kind(c.Key.Kind), ID: c.Key.ID},
		Address: c.Address, Block: c.Block, Drift: model.Drift(c.Drift), Before: before, After: after, DependsOn: c.DependsOn,
	}
	if c.Attributes != nil {
		m.Attrs = make([]model.AttrDiff, len(c.Attributes))
		for i, a := range c.Attributes {
			m.Attrs[i] = model.AttrDiff{Name: a.Name, Before: a.Before, After: a.After, IsPolicy: a.IsPolicy}
		}
	}
	return m, nil
}

// objectOf is the engine's object as a document holds it; nil for none.
func objectOf(o model.Object) *Object {
	switch v := o.(type) {
	case *model.Role:
		return &Object{Role: &Role{Name: v.Name, Path: v.Path, Description: v.Description, TrustPolicy: v.TrustPolicy, MaxSessionDuration: v.MaxSessionDuration, PermissionsBoundary: v.PermissionsBoundary,
			Tags: v.Tags, AttachedPolicies: v.AttachedPolicies, InlinePolicies: v.InlinePolicies, Owned: v.Owned, Adopt: v.Adopt}}
	case *model.ManagedPolicy:
		return &Object{Policy: &Policy{Name: v.Name, Path: v.Path, Description: v.Description, Document: v.Document, Tags: v.Tags, Owned: v.Owned, Adopt: v.Adopt}}
	case *model.Group:
		return &Object{Group: &Group{Name: v.Name, Path: v.Path, AttachedPolicies: v.AttachedPolicies, InlinePolicies: v.InlinePolicies, Owned: v.Owned, Adopt: v.Adopt}}
	case *model.User:
		return &Object{User: &User{Name: v.Name, Path: v.Path, Tags: v.Tags, PermissionsBoundary: v.PermissionsBoundary, Groups: v.Groups, AttachedPolicies: v.AttachedPolicies, InlinePolicies: v.InlinePolicies,
			Owned: v.Owned, Adopt: v.Adopt}}
	case *model.InlinePolicy:
		return &Object{InlinePolicy: &InlinePolicy{PrincipalKind: string(v.PrincipalKind), PrincipalName: v.PrincipalName, Name: v.Name, Document: v.Document}}
	case *model.Attachment:
		return &Object{Attachment: &Attachment{PrincipalKind: string(v.PrincipalKind), PrincipalName: v.PrincipalName, PolicyARN: v.PolicyARN}}
	case *model.Membership:
		return &Object{Membership: &Membership{User: v.User, Group: v.Group}}
	}
	return nil
}

// model is the one object o holds, as the engine's; nil when o is. A
// document is untrusted input: an object holding none or several is an
// error, not a guess.
func (o *Object) model() (model.Object, error) {
	if o == nil {
		return nil, nil
	}
	var out []model.Object
	if r := o.Role; r != nil {
		out = append(out, &model.Role{Name: r.Name, Path: r.Path, Description: r.Description, TrustPolicy: r.TrustPolicy, MaxSessionDuration: r.MaxSessionDuration, PermissionsBoundary: r.PermissionsBoundary,
			Tags: r.Tags, AttachedPolicies: r.AttachedPolicies, InlinePolicies: r.InlinePolicies, Owned: r.Owned, Adopt: r.Adopt})
	}
	if p := o.Policy; p != nil {
		out = append(out, &model.ManagedPolicy{Name: p.Name, Path: p.Path, Description: p.Description, Document: p.Document, Tags: p.Tags, Owned: p.Owned, Adopt: p.Adopt})
	}
	if g := o.Group; g != nil {
		out = append(out, &model.Group{Name: g.Name, Path: g.Path, AttachedPolicies: g.AttachedPolicies, InlinePolicies: g.InlinePolicies, Owned: g.Owned, Adopt: g.Adopt})
	}
	if u := o.User; u != nil {
		out = append(out, &model.User{Name: u.Name, Path: u.Path, Tags: u.Tags, PermissionsBoundary: u.PermissionsBoundary, Groups: u.Groups, AttachedPolicies: u.AttachedPolicies, InlinePolicies: u.InlinePolicies,
			Owned: u.Owned, Adopt: u.Adopt})
	}
	if p := o.InlinePolicy; p != nil {
		out = append(out, &model.InlinePolicy{PrincipalKind: model.Kind(p.PrincipalKind), PrincipalName: p.PrincipalName, Name: p.Name, Document: p.Document})
	}
	if a := o.Attachment; a != nil {
		out = append(out, &model.Attachment{PrincipalKind: model.Kind(a.PrincipalKind), PrincipalName: a.PrincipalName, PolicyARN: a.PolicyARN})
	}
	if m := o.Membership; m != nil {
		out = append(out, &model.Membership{User: m.User, Group: m.Group})
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("an object must hold exactly one of role, policy, group, user, inline_policy, attachment, membership; it holds %d", len(out))
	}
	return out[0], nil
}
