package planfile

import (
	"encoding/json"

	"github.com/trustform/trustform/engine/model"
)

// The wire: the structs below are what a plan document is as JSON, and
// nothing else is. Document and Change hold the engine's types for the code
// that builds and checks plans; they are never encoded as they are, but
// through these structs (Document.MarshalJSON, Read), field by field. So a
// field added to the model stays out of plans until it is added here — a new
// field within format_version 2, and in docs/plan.schema.json — and the
// model's own JSON tags, which Fingerprint hashes, are not the plan's
// contract. Target, Account, AssumeRole, AccessChange,
// Expectation, Summary and Variable are planfile's own and on the wire as
// they are. TestWireHoldsNoModelTypes keeps it so.
//
// Every struct keeps the field order, tags and omitempty of format_version 2
// as it was first written (from the model's tags): the bytes are the
// contract, the saved plan's checksum is over them, and testdata/ pins them.

// jsonDocument is a Document on the wire.
type jsonDocument struct {
	FormatVersion    string              `json:"format_version"`
	TrustformVersion string              `json:"trustform_version"`
	Stack            string              `json:"stack"`
	Target           Target              `json:"target"`
	RequireApproval  string              `json:"require_approval,omitempty"`
	Destroy          bool                `json:"destroy"`
	Accounts         []Account           `json:"accounts"`
	AccessChanges    []AccessChange      `json:"access_changes"`
	Changes          []jsonChange        `json:"changes"`
	Expectations     []Expectation       `json:"expectations"`
	Summary          Summary             `json:"summary"`
	Broadening       bool                `json:"broadening"`
	Applicable       bool                `json:"applicable"`
	Fingerprint      string              `json:"fingerprint,omitempty"`
	Variables        map[string]Variable `json:"variables,omitempty"`
	StackFiles       map[string]string   `json:"stack_files,omitempty"`
	Checksum         string              `json:"checksum,omitempty"`
}

// jsonChange is a Change on the wire. Action, kind and drift are plain
// strings: the values are the schema's enums, which Document.Plan checks
// when it reads a plan back.
type jsonChange struct {
	Index      int            `json:"index"`
	Action     string         `json:"action"`
	Kind       string         `json:"kind"`
	Account    jsonAccountRef `json:"account"`
	Address    string         `json:"address"`
	Block      string         `json:"block"`
	Drift      string         `json:"drift,omitempty"`
	Object     string         `json:"object"`
	Key        jsonKey        `json:"key"`
	Attributes []jsonAttrDiff `json:"attributes"`
	DependsOn  []int          `json:"depends_on"`
	Before     *jsonObject    `json:"before,omitempty"`
	After      *jsonObject    `json:"after,omitempty"`
}

type jsonAccountRef struct {
	Name      string `json:"name"`
	ID        string `json:"id"`
	Partition string `json:"partition"`
}

type jsonKey struct {
	Account string `json:"account"`
	Kind    string `json:"kind"`
	ID      string `json:"id"`
}

type jsonAttrDiff struct {
	Name     string `json:"name"`
	Before   string `json:"before"`
	After    string `json:"after"`
	IsPolicy bool   `json:"is_policy"`
}

// jsonObject holds one object; the reader refuses one holding none or
// several (Object.unwrap), as the schema does.
type jsonObject struct {
	Role         *jsonRole         `json:"role,omitempty"`
	Policy       *jsonPolicy       `json:"policy,omitempty"`
	Group        *jsonGroup        `json:"group,omitempty"`
	User         *jsonUser         `json:"user,omitempty"`
	InlinePolicy *jsonInlinePolicy `json:"inline_policy,omitempty"`
	Attachment   *jsonAttachment   `json:"attachment,omitempty"`
	Membership   *jsonMembership   `json:"membership,omitempty"`
}

type jsonRole struct {
	Name               string            `json:"name"`
	Path               string            `json:"path"`
	Description        string            `json:"description,omitempty"`
	TrustPolicy        string            `json:"trust_policy"`
	MaxSessionDuration int               `json:"max_session_duration"`
	Tags               map[string]string `json:"tags,omitempty"`
	AttachedPolicies   []string          `json:"attached_policies,omitempty"`
	InlinePolicies     map[string]string `json:"inline_policies,omitempty"`
	Owned              bool              `json:"owned"`
	Adopt              bool              `json:"adopt,omitempty"`
}

type jsonPolicy struct {
	Name        string            `json:"name"`
	Path        string            `json:"path"`
	Description string            `json:"description,omitempty"`
	Document    string            `json:"document"`
	Tags        map[string]string `json:"tags,omitempty"`
	Owned       bool              `json:"owned"`
	Adopt       bool              `json:"adopt,omitempty"`
}

type jsonGroup struct {
	Name             string            `json:"name"`
	Path             string            `json:"path"`
	AttachedPolicies []string          `json:"attached_policies,omitempty"`
	InlinePolicies   map[string]string `json:"inline_policies,omitempty"`
	Owned            bool              `json:"owned"`
	Adopt            bool              `json:"adopt,omitempty"`
}

type jsonUser struct {
	Name             string            `json:"name"`
	Path             string            `json:"path"`
	Tags             map[string]string `json:"tags,omitempty"`
	Groups           []string          `json:"groups,omitempty"`
	AttachedPolicies []string          `json:"attached_policies,omitempty"`
	InlinePolicies   map[string]string `json:"inline_policies,omitempty"`
	Owned            bool              `json:"owned"`
	Adopt            bool              `json:"adopt,omitempty"`
}

type jsonInlinePolicy struct {
	PrincipalKind string `json:"principal_kind"`
	PrincipalName string `json:"principal_name"`
	Name          string `json:"name"`
	Document      string `json:"document"`
}

type jsonAttachment struct {
	PrincipalKind string `json:"principal_kind"`
	PrincipalName string `json:"principal_name"`
	PolicyARN     string `json:"policy_arn"`
}

type jsonMembership struct {
	User  string `json:"user"`
	Group string `json:"group"`
}

// MarshalJSON encodes the document as the plan file's format says, through
// the wire structs, whoever encodes it (plan -json, show -json, Write).
func (d Document) MarshalJSON() ([]byte, error) { return json.Marshal(d.wire()) }

// UnmarshalJSON decodes a plan document through the wire structs. Unknown
// fields are ignored here, as encoding/json does; Read, for saved plans,
// refuses them.
func (d *Document) UnmarshalJSON(b []byte) error {
	var w jsonDocument
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = w.document()
	return nil
}

// MarshalJSON encodes a change as it is in a plan document, should one be
// encoded alone.
func (c Change) MarshalJSON() ([]byte, error) { return json.Marshal(c.wire()) }

// UnmarshalJSON decodes a change as it is in a plan document.
func (c *Change) UnmarshalJSON(b []byte) error {
	var w jsonChange
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = w.change()
	return nil
}

// The conversions copy each field by name, and keep nil apart from empty
// (null from [] on the wire): a document read back encodes to the bytes it
// was read from, which the checksum needs.

func (d Document) wire() jsonDocument {
	w := jsonDocument{
		FormatVersion: d.FormatVersion, TrustformVersion: d.TrustformVersion, Stack: d.Stack, Target: d.Target,
		RequireApproval: d.RequireApproval, Destroy: d.Destroy, Accounts: d.Accounts, AccessChanges: d.AccessChanges,
		Expectations: d.Expectations, Summary: d.Summary, Broadening: d.Broadening, Applicable: d.Applicable,
		Fingerprint: d.Fingerprint, Variables: d.Variables, StackFiles: d.StackFiles, Checksum: d.Checksum,
	}
	if d.Changes != nil {
		w.Changes = make([]jsonChange, len(d.Changes))
		for i, c := range d.Changes {
			w.Changes[i] = c.wire()
		}
	}
	return w
}

func (w jsonDocument) document() Document {
	d := Document{
		FormatVersion: w.FormatVersion, TrustformVersion: w.TrustformVersion, Stack: w.Stack, Target: w.Target,
		RequireApproval: w.RequireApproval, Destroy: w.Destroy, Accounts: w.Accounts, AccessChanges: w.AccessChanges,
		Expectations: w.Expectations, Summary: w.Summary, Broadening: w.Broadening, Applicable: w.Applicable,
		Fingerprint: w.Fingerprint, Variables: w.Variables, StackFiles: w.StackFiles, Checksum: w.Checksum,
	}
	if w.Changes != nil {
		d.Changes = make([]Change, len(w.Changes))
		for i, c := range w.Changes {
			d.Changes[i] = c.change()
		}
	}
	return d
}

func (c Change) wire() jsonChange {
	w := jsonChange{
		Index: c.Index, Action: string(c.Action), Kind: string(c.Kind),
		Account: jsonAccountRef{Name: c.Account.Name, ID: c.Account.ID, Partition: c.Account.Partition},
		Address: c.Address, Block: c.Block, Drift: string(c.Drift), Object: c.Object,
		Key:       jsonKey{Account: c.Key.Account, Kind: string(c.Key.Kind), ID: c.Key.ID},
		DependsOn: c.DependsOn, Before: c.Before.wire(), After: c.After.wire(),
	}
	if c.Attributes != nil {
		w.Attributes = make([]jsonAttrDiff, len(c.Attributes))
		for i, a := range c.Attributes {
			w.Attributes[i] = jsonAttrDiff{Name: a.Name, Before: a.Before, After: a.After, IsPolicy: a.IsPolicy}
		}
	}
	return w
}

func (w jsonChange) change() Change {
	c := Change{
		Index: w.Index, Action: model.Action(w.Action), Kind: model.Kind(w.Kind),
		Account: model.AccountRef{Name: w.Account.Name, ID: w.Account.ID, Partition: w.Account.Partition},
		Address: w.Address, Block: w.Block, Drift: model.Drift(w.Drift), Object: w.Object,
		Key:       model.Key{Account: w.Key.Account, Kind: model.Kind(w.Key.Kind), ID: w.Key.ID},
		DependsOn: w.DependsOn, Before: w.Before.object(), After: w.After.object(),
	}
	if w.Attributes != nil {
		c.Attributes = make([]model.AttrDiff, len(w.Attributes))
		for i, a := range w.Attributes {
			c.Attributes[i] = model.AttrDiff{Name: a.Name, Before: a.Before, After: a.After, IsPolicy: a.IsPolicy}
		}
	}
	return c
}

// wire and object keep every member, even several or none: whether an
// object holds exactly one is the reader's to judge (Object.unwrap), with
// its own error.
func (o *Object) wire() *jsonObject {
	if o == nil {
		return nil
	}
	w := &jsonObject{}
	if r := o.Role; r != nil {
		w.Role = &jsonRole{Name: r.Name, Path: r.Path, Description: r.Description, TrustPolicy: r.TrustPolicy, MaxSessionDuration: r.MaxSessionDuration,
			Tags: r.Tags, AttachedPolicies: r.AttachedPolicies, InlinePolicies: r.InlinePolicies, Owned: r.Owned, Adopt: r.Adopt}
	}
	if p := o.Policy; p != nil {
		w.Policy = &jsonPolicy{Name: p.Name, Path: p.Path, Description: p.Description, Document: p.Document, Tags: p.Tags, Owned: p.Owned, Adopt: p.Adopt}
	}
	if g := o.Group; g != nil {
		w.Group = &jsonGroup{Name: g.Name, Path: g.Path, AttachedPolicies: g.AttachedPolicies, InlinePolicies: g.InlinePolicies, Owned: g.Owned, Adopt: g.Adopt}
	}
	if u := o.User; u != nil {
		w.User = &jsonUser{Name: u.Name, Path: u.Path, Tags: u.Tags, Groups: u.Groups, AttachedPolicies: u.AttachedPolicies, InlinePolicies: u.InlinePolicies,
			Owned: u.Owned, Adopt: u.Adopt}
	}
	if p := o.InlinePolicy; p != nil {
		w.InlinePolicy = &jsonInlinePolicy{PrincipalKind: string(p.PrincipalKind), PrincipalName: p.PrincipalName, Name: p.Name, Document: p.Document}
	}
	if a := o.Attachment; a != nil {
		w.Attachment = &jsonAttachment{PrincipalKind: string(a.PrincipalKind), PrincipalName: a.PrincipalName, PolicyARN: a.PolicyARN}
	}
	if m := o.Membership; m != nil {
		w.Membership = &jsonMembership{User: m.User, Group: m.Group}
	}
	return w
}

func (w *jsonObject) object() *Object {
	if w == nil {
		return nil
	}
	o := &Object{}
	if r := w.Role; r != nil {
		o.Role = &model.Role{Name: r.Name, Path: r.Path, Description: r.Description, TrustPolicy: r.TrustPolicy, MaxSessionDuration: r.MaxSessionDuration,
			Tags: r.Tags, AttachedPolicies: r.AttachedPolicies, InlinePolicies: r.InlinePolicies, Owned: r.Owned, Adopt: r.Adopt}
	}
	if p := w.Policy; p != nil {
		o.Policy = &model.ManagedPolicy{Name: p.Name, Path: p.Path, Description: p.Description, Document: p.Document, Tags: p.Tags, Owned: p.Owned, Adopt: p.Adopt}
	}
	if g := w.Group; g != nil {
		o.Group = &model.Group{Name: g.Name, Path: g.Path, AttachedPolicies: g.AttachedPolicies, InlinePolicies: g.InlinePolicies, Owned: g.Owned, Adopt: g.Adopt}
	}
	if u := w.User; u != nil {
		o.User = &model.User{Name: u.Name, Path: u.Path, Tags: u.Tags, Groups: u.Groups, AttachedPolicies: u.AttachedPolicies, InlinePolicies: u.InlinePolicies,
			Owned: u.Owned, Adopt: u.Adopt}
	}
	if p := w.InlinePolicy; p != nil {
		o.InlinePolicy = &model.InlinePolicy{PrincipalKind: model.Kind(p.PrincipalKind), PrincipalName: p.PrincipalName, Name: p.Name, Document: p.Document}
	}
	if a := w.Attachment; a != nil {
		o.Attachment = &model.Attachment{PrincipalKind: model.Kind(a.PrincipalKind), PrincipalName: a.PrincipalName, PolicyARN: a.PolicyARN}
	}
	if m := w.Membership; m != nil {
		o.Membership = &model.Membership{User: m.User, Group: m.Group}
	}
	return o
}
