package planfile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/policy"

	"github.com/trustform/trustform/engine"
)

// FormatVersion is the version of the document's format.
const FormatVersion = "2"

// Document is a plan as data. It is encoded through the wire structs of
// wire.go (MarshalJSON), never as it is: its Changes hold the engine's types.
type Document struct {
	FormatVersion    string         `json:"format_version"`
	TrustformVersion string         `json:"trustform_version"`
	Stack            string         `json:"stack"`
	Target           Target         `json:"target"`
	RequireApproval  string         `json:"require_approval,omitempty"`
	Destroy          bool           `json:"destroy"`
	Accounts         []Account      `json:"accounts"`
	AccessChanges    []AccessChange `json:"access_changes"`
	Changes          []Change       `json:"changes"`
	Expectations     []Expectation  `json:"expectations"`
	Summary          Summary        `json:"summary"`
	Broadening       bool           `json:"broadening"`
	Applicable       bool           `json:"applicable"`
	// Fingerprint (saved plans): a hash of the accounts as they were read
	// for the plan; apply refuses the plan when they hash otherwise.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Variables (saved plans): each input variable's value as the plan was
	// made with it; apply loads the stack again with exactly these values.
	Variables map[string]Variable `json:"variables,omitempty"`
	// StackFiles (saved plans): a digest of each file of the stack the plan
	// read, by its path relative to the stack directory, so that apply can
	// name the files that changed since.
	StackFiles map[string]string `json:"stack_files,omitempty"`
	// Checksum (saved plans): a hash of the document with this field empty.
	// It detects a damaged or hand-edited plan, not a forged one: anyone can
	// recompute it. apply FILE derives every change again from the stack.
	Checksum string `json:"checksum,omitempty"`
}

// Variable is an input variable's value: its type and value in go-cty's
// JSON encoding (schema.Value).
type Variable struct {
	Type  json.RawMessage `json:"type"`
	Value json.RawMessage `json:"value"`
}

// Target says where the accounts are and how they are reached — never a
// credential.
type Target struct {
	Kind           string `json:"kind"` // "local" or "aws"
	Description    string `json:"description"`
	StackDir       string `json:"stack_dir"`                  // absolute
	StateDir       string `json:"state_dir,omitempty"`        // local; absolute
	AssumeRoleName string `json:"assume_role_name,omitempty"` // aws
}

// Account is a declared account and the identity the plan read it as.
type Account struct {
	Address    string      `json:"address"`
	Name       string      `json:"name"`
	ID         string      `json:"id"`
	Partition  string      `json:"partition"`
	Identity   string      `json:"identity"`
	Profile    string      `json:"profile,omitempty"`
	AssumeRole *AssumeRole `json:"assume_role,omitempty"`
	External   bool        `json:"external,omitempty"` // named only: never read or written
}

// AssumeRole is an account's assume_role block.
type AssumeRole struct {
	RoleARN     string `json:"role_arn"`
	ExternalID  string `json:"external_id,omitempty"`
	SessionName string `json:"session_name,omitempty"`
	Duration    int    `json:"duration,omitempty"`
}

// AccessChange is one principal's changed ability to assume one role, or
// one delegation a trust policy starts or stops making.
type AccessChange struct {
	// Kind is "principal" or "delegation" (engine.AccessPrincipal,
	// engine.AccessDelegation).
	Kind      string   `json:"kind"`
	Role      string   `json:"role"`
	Principal string   `json:"principal"` // for a delegation, an account root ARN or "*"
	Before    []string `json:"before"`    // conditions before; null when it could not
	After     []string `json:"after"`     // conditions after; null when it cannot
	Broadens  bool     `json:"broadens"`
	// Today (delegations): the principals of the trusted account that can
	// assume the role after the plan (before it, for a delegation that
	// ends); null when that account is not read, and for principals.
	Today []string `json:"today"`
}

// Change is one change, in apply order. It holds the engine's types, for the
// code that builds, compares and rebuilds plans; on the wire it is a
// jsonChange, which holds none.
type Change struct {
	Index      int              `json:"index"`
	Action     model.Action     `json:"action"`
	Kind       model.Kind       `json:"kind"`
	Account    model.AccountRef `json:"account"`
	Address    string           `json:"address"` // unique in the plan, stable across plans
	Block      string           `json:"block"`   // the declaring block; "" when none does
	Drift      model.Drift      `json:"drift,omitempty"`
	Object     string           `json:"object"` // for people, e.g. role "UpdateApp"
	Key        model.Key        `json:"key"`
	Attributes []model.AttrDiff `json:"attributes"`
	DependsOn  []int            `json:"depends_on"`
	Before     *Object          `json:"before,omitempty"`
	After      *Object          `json:"after,omitempty"`
}

// Object holds exactly one IAM object: what a change creates, updates from
// or to, or deletes. On the wire it is a jsonObject.
type Object struct {
	Role         *model.Role          `json:"role,omitempty"`
	Policy       *model.ManagedPolicy `json:"policy,omitempty"`
	Group        *model.Group         `json:"group,omitempty"`
	User         *model.User          `json:"user,omitempty"`
	InlinePolicy *model.InlinePolicy  `json:"inline_policy,omitempty"`
	Attachment   *model.Attachment    `json:"attachment,omitempty"`
	Membership   *model.Membership    `json:"membership,omitempty"`
}

// Expectation is the result of one expect block.
type Expectation struct {
	Address string   `json:"address"`
	Summary string   `json:"summary"`
	Passed  bool     `json:"passed"`
	Reasons []string `json:"reasons"`
}

// Summary counts the changes.
type Summary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
	Adopt   int `json:"adopt,omitempty"`
}

// FromPlan turns a plan into its document.
func FromPlan(p *model.Plan, cfg *model.Config, target Target, version string) Document {
	d := Document{
		FormatVersion: FormatVersion, TrustformVersion: version, Stack: p.Stack, Target: target,
		RequireApproval: cfg.Stack.RequireApproval, Destroy: p.Destroy,
		AccessChanges: []AccessChange{}, Changes: []Change{}, Expectations: []Expectation{},
		Broadening: p.Broadening(), Applicable: p.Applicable(),
	}
	d.Target.Description = p.Target
	identity := map[string]string{}
	for _, a := range p.Accounts {
		identity[a.ID] = a.Identity
	}
	for _, a := range cfg.Accounts {
		acct := Account{Address: a.Address, Name: a.Name, ID: a.ID, Partition: a.Partition, Identity: identity[a.ID], Profile: a.Profile, External: a.External}
		if ar := a.AssumeRole; ar != nil {
			acct.AssumeRole = &AssumeRole{RoleARN: ar.RoleARN, ExternalID: ar.ExternalID, SessionName: ar.SessionName, Duration: ar.Duration}
		}
		d.Accounts = append(d.Accounts, acct)
	}
	for _, a := range p.Access {
		kind := a.Kind
		if kind == "" {
			kind = model.AccessPrincipal
		}
		// The wire writes principals as policies do (Principal.String):
		// the format predates typed principals, and its bytes stay as they
		// were.
		ac := AccessChange{Kind: kind, Role: a.Role.ARN(), Principal: a.Principal.String(), Before: nilUnless(a.CanBefore, a.Before), After: nilUnless(a.CanAfter, a.After), Broadens: a.Broadens()}
		if a.IsDelegation() && a.TodayKnown {
			ac.Today = make([]string, 0, len(a.Today))
			for _, t := range a.Today {
				ac.Today = append(ac.Today, t.String())
			}
		}
		d.AccessChanges = append(d.AccessChanges, ac)
	}
	for i, c := range p.Changes {
		d.Changes = append(d.Changes, Change{
			Index: i, Action: c.Action, Kind: c.Kind, Account: c.Account, Address: c.Address, Block: c.Block, Drift: c.Drift, Object: engine.ObjectName(c),
			Key: c.Key, Attributes: nonNil(c.Attrs), DependsOn: nonNilInts(c.DependsOn), Before: wrap(c.Before), After: wrap(c.After),
		})
	}
	for _, x := range p.Expectations {
		d.Expectations = append(d.Expectations, Expectation{Address: x.Address, Summary: x.Summary, Passed: x.Passed, Reasons: nonNilStrings(x.Reasons)})
	}
	d.Summary.Add, d.Summary.Change, d.Summary.Destroy = p.Counts()
	d.Summary.Adopt = p.Adoptions()
	return d
}

// Plan rebuilds the engine's plan and the configuration of its accounts
// from a document, for show and apply.
func (d Document) Plan() (*model.Plan, *model.Config, error) {
	if d.FormatVersion != FormatVersion {
		return nil, nil, fmt.Errorf("plan format %q is not %q: make the plan again with this version of trustform", d.FormatVersion, FormatVersion)
	}
	cfg := &model.Config{Stack: model.StackConfig{Name: d.Stack, Target: d.Target.Kind, AssumeRoleName: d.Target.AssumeRoleName, Dir: d.Target.StackDir, RequireApproval: d.RequireApproval}}
	p := &model.Plan{Stack: d.Stack, Target: d.Target.Description, Destroy: d.Destroy}
	for _, a := range d.Accounts {
		ac := &model.AccountConfig{Address: a.Address, Name: a.Name, ID: a.ID, Partition: a.Partition, Profile: a.Profile, External: a.External}
		if ar := a.AssumeRole; ar != nil {
			ac.AssumeRole = &model.AssumeRoleConfig{RoleARN: ar.RoleARN, ExternalID: ar.ExternalID, SessionName: ar.SessionName, Duration: ar.Duration}
		}
		cfg.Accounts = append(cfg.Accounts, ac)
		p.Accounts = append(p.Accounts, model.PlanAccount{Name: a.Name, ID: a.ID, Identity: a.Identity, External: a.External})
	}
	for i, c := range d.Changes {
		if c.Index != i {
			return nil, nil, fmt.Errorf("change %d is numbered %d: the plan is damaged", i, c.Index)
		}
		for _, d := range c.DependsOn {
			// Changes are in apply order: a change can only wait for one
			// before it. Anything else would make Apply wait forever or
			// index out of range.
			if d < 0 || d >= i {
				return nil, nil, fmt.Errorf("change %d depends on change %d, which does not come before it: the plan is damaged", i, d)
			}
		}
		switch c.Action {
		case model.Create, model.Update, model.Delete, model.Adopt:
		default:
			return nil, nil, fmt.Errorf("change %d has the action %q, which trustform does not know: the plan is damaged or from a newer trustform", i, c.Action)
		}
		before, err := c.Before.unwrap()
		if err != nil {
			return nil, nil, fmt.Errorf("change %d: %w", i, err)
		}
		after, err := c.After.unwrap()
		if err != nil {
			return nil, nil, fmt.Errorf("change %d: %w", i, err)
		}
		p.Changes = append(p.Changes, &model.Change{Action: c.Action, Kind: c.Kind, Account: c.Account, Key: c.Key, Address: c.Address,
			Block: c.Block, Drift: c.Drift, Before: before, After: after, Attrs: c.Attributes, DependsOn: c.DependsOn})
		// A role being adopted is read in full (engine.RoleDetailer) when
		// the plan is made; the re-read that checks the plan is fresh must
		// read it the same way, so the rebuilt configuration names it.
		if r, ok := after.(*model.Role); ok && c.Action == model.Adopt && r != nil {
			cfg.Roles = append(cfg.Roles, &model.RoleConfig{Address: c.Block, Account: c.Account.ID, Name: r.Name, Adopt: true})
		}
	}
	for i, a := range d.AccessChanges {
		kind := a.Kind
		if kind == "" {
			kind = model.AccessPrincipal
		}
		role, err := model.ParsePrincipal(a.Role)
		if err != nil || role.Kind != model.PrincipalRole {
			return nil, nil, fmt.Errorf("access change %d is of %q, which is not a role's ARN: the plan is damaged", i, a.Role)
		}
		// The wire holds principals as text, without the Principal element
		// that named them: policy.ReadPrincipalValue reads them back (a
		// web identity provider named by a host AWS does not list reads
		// as a service).
		var today []model.Principal
		if a.Today != nil {
			today = make([]model.Principal, 0, len(a.Today))
			for _, t := range a.Today {
				today = append(today, policy.ReadPrincipalValue(t))
			}
		}
		p.Access = append(p.Access, model.AccessChange{Kind: kind, Role: role, Principal: policy.ReadPrincipalValue(a.Principal), Before: a.Before, After: a.After, CanBefore: a.Before != nil, CanAfter: a.After != nil,
			Today: today, TodayKnown: a.Today != nil})
	}
	for _, x := range d.Expectations {
		p.Expectations = append(p.Expectations, model.ExpectationResult{Address: x.Address, Summary: x.Summary, Passed: x.Passed, Reasons: x.Reasons})
	}
	return p, cfg, nil
}

// Fingerprint hashes the accounts as read, in a stable encoding
// (encoding/json sorts map keys), ownership flags included. It hashes the
// model, not a wire struct: it must change with anything the engine reads,
// fields that plans do not carry included.
func Fingerprint(s *model.State) string {
	b, _ := json.Marshal(s)
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Write writes a saved plan: the document with its fingerprint and checksum.
func Write(w io.Writer, d Document) error {
	wd := d.wire()
	wd.Checksum = ""
	body, err := json.Marshal(wd)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	wd.Checksum = "sha256:" + hex.EncodeToString(sum[:])
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(wd)
}

// Encode writes the plan document as plan -json prints it (indented, the
// document as given, checksum included if set). It encodes the wire
// directly: through Document's MarshalJSON, encoding/json would check and
// indent the whole output again, about three times the work on a large plan.
func Encode(w io.Writer, d Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d.wire())
}

// MaxSize is the largest saved plan Read accepts: ten times the plan of
// the largest stack benchmarked (10,040 objects applied from empty, 23 MB).
// encoding/json bounds the nesting itself, at 10,000 levels.
const MaxSize = 256 << 20

// Read reads a saved plan and verifies its checksum.
func Read(r io.Reader) (Document, error) {
	// Decoded as the wire itself, not through Document.UnmarshalJSON: only a
	// decoder that decodes the structs itself refuses unknown fields at
	// every level, and the checksum is over the wire's encoding.
	var w jsonDocument
	lr := &io.LimitedReader{R: r, N: MaxSize + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		switch {
		case lr.N <= 0:
			return w.document(), fmt.Errorf("not a saved plan: it is larger than %d MiB, more than any plan trustform writes; make a new plan with trustform plan -out FILE", MaxSize>>20)
		case errors.Is(err, io.EOF):
			return w.document(), fmt.Errorf("not a saved plan: the file is empty; save one with trustform plan -out FILE")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return w.document(), fmt.Errorf("the saved plan is truncated: it ends after %d bytes, in the middle of the plan, so it was cut short while it was written or copied; copy it again, or make a new plan with trustform plan -out FILE", MaxSize+1-lr.N)
		}
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return w.document(), fmt.Errorf("not a trustform plan: %v (at byte %d); save one with trustform plan -out FILE", err, syn.Offset)
		}
		return w.document(), fmt.Errorf("not a trustform plan: %v; save one with trustform plan -out FILE", err)
	}
	if w.Checksum == "" || w.Fingerprint == "" {
		return w.document(), fmt.Errorf("not a saved plan (no checksum or fingerprint): save one with trustform plan -out FILE")
	}
	want := w.Checksum
	w.Checksum = ""
	body, err := json.Marshal(w)
	if err != nil {
		return w.document(), err
	}
	sum := sha256.Sum256(body)
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != want {
		return w.document(), fmt.Errorf("the saved plan was changed after it was written (checksum %s, content hashes to %s): make a new plan instead of editing one", want, got)
	}
	w.Checksum = want
	return w.document(), nil
}

func wrap(o model.Object) *Object {
	switch v := o.(type) {
	case *model.Role:
		return &Object{Role: v}
	case *model.ManagedPolicy:
		return &Object{Policy: v}
	case *model.Group:
		return &Object{Group: v}
	case *model.User:
		return &Object{User: v}
	case *model.InlinePolicy:
		return &Object{InlinePolicy: v}
	case *model.Attachment:
		return &Object{Attachment: v}
	case *model.Membership:
		return &Object{Membership: v}
	}
	return nil
}

func (o *Object) unwrap() (model.Object, error) {
	if o == nil {
		return nil, nil
	}
	var out []model.Object
	if o.Role != nil {
		out = append(out, o.Role)
	}
	if o.Policy != nil {
		out = append(out, o.Policy)
	}
	if o.Group != nil {
		out = append(out, o.Group)
	}
	if o.User != nil {
		out = append(out, o.User)
	}
	if o.InlinePolicy != nil {
		out = append(out, o.InlinePolicy)
	}
	if o.Attachment != nil {
		out = append(out, o.Attachment)
	}
	if o.Membership != nil {
		out = append(out, o.Membership)
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("an object must hold exactly one of role, policy, group, user, inline_policy, attachment, membership; it holds %d", len(out))
	}
	return out[0], nil
}

func nilUnless(ok bool, conds []string) []string {
	if !ok {
		return nil
	}
	return nonNilStrings(conds)
}

func nonNil(a []model.AttrDiff) []model.AttrDiff {
	if a == nil {
		return []model.AttrDiff{}
	}
	return a
}

func nonNilInts(a []int) []int {
	if a == nil {
		return []int{}
	}
	return a
}

func nonNilStrings(a []string) []string {
	if a == nil {
		return []string{}
	}
	return a
}
