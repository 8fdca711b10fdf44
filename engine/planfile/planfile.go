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

// Document is a plan as data, and as JSON as it is: it and the structs it
// is made of hold no type of the engine (wire.go).
type Document struct {
	FormatVersion    string    `json:"format_version"`
	TrustformVersion string    `json:"trustform_version"`
	Stack            string    `json:"stack"`
	Target           Target    `json:"target"`
	RequireApproval  string    `json:"require_approval,omitempty"`
	Destroy          bool      `json:"destroy"`
	Accounts         []Account `json:"accounts"`
	// Organization is the organisation the plan read its guardrails from,
	// when the stack declares an organization block.
	Organization  *Organization  `json:"organization,omitempty"`
	AccessChanges []AccessChange `json:"access_changes"`
	// AccessOutside (stacks that read their organisation): who gained or
	// lost a way to assume the stack's roles since its last complete apply,
	// by no change of the stack; before is the stack's access record, after
	// the accounts as they are.
	AccessOutside []AccessChange `json:"access_outside,omitempty"`
	Changes       []Change       `json:"changes"`
	Expectations  []Expectation  `json:"expectations"`
	Summary       Summary        `json:"summary"`
	Broadening    bool           `json:"broadening"`
	Applicable    bool           `json:"applicable"`
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

// Organization is what a plan says of the organisation it read: its ID,
// management account, which guardrail types it evaluated, and each declared
// account's path from the root (the IDs of the root, the OUs and the
// account itself); an account outside the organisation has none.
type Organization struct {
	ID                string              `json:"id"`
	ManagementAccount string              `json:"management_account"`
	SCPs              bool                `json:"scps_evaluated"`
	RCPs              bool                `json:"rcps_evaluated"`
	Paths             map[string][]string `json:"paths"`
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
	// Kind is "principal" or "delegation" (model.AccessPrincipal,
	// model.AccessDelegation).
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
	if p.Actual != nil && p.Actual.Organization != nil {
		o := p.Actual.Organization
		d.Organization = &Organization{ID: o.ID, ManagementAccount: o.ManagementAccount, SCPs: o.SCPs, RCPs: o.RCPs, Paths: map[string][]string{}}
		for id, path := range o.Paths {
			for _, l := range path {
				d.Organization.Paths[id] = append(d.Organization.Paths[id], l.ID)
			}
		}
	}
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
		d.AccessChanges = append(d.AccessChanges, accessChangeOf(a))
	}
	for _, a := range p.AccessOutside {
		d.AccessOutside = append(d.AccessOutside, accessChangeOf(a))
	}
	for i, c := range p.Changes {
		dc := changeOf(c)
		dc.Index, dc.Object = i, engine.ObjectName(c)
		dc.Attributes, dc.DependsOn = nonNil(dc.Attributes), nonNilInts(dc.DependsOn)
		d.Changes = append(d.Changes, dc)
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
	if o := d.Organization; o != nil {
		// The plan carries the organisation's shape, not its policies:
		// enough to say what was read, as the plan did.
		org := &model.Organization{ID: o.ID, ManagementAccount: o.ManagementAccount, SCPs: o.SCPs, RCPs: o.RCPs, Paths: map[string][]*model.OrgLevel{}}
		for id, path := range o.Paths {
			for i, lid := range path {
				kind := model.OrgUnit
				switch {
				case i == 0:
					kind = model.OrgRoot
				case i == len(path)-1:
					kind = model.OrgAccount
				}
				org.Paths[id] = append(org.Paths[id], &model.OrgLevel{ID: lid, Kind: kind})
			}
		}
		p.Actual = model.NewState()
		p.Actual.Organization = org
	}
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
		switch model.Action(c.Action) {
		case model.Create, model.Update, model.Delete, model.Adopt:
		default:
			return nil, nil, fmt.Errorf("change %d has the action %q, which trustform does not know: the plan is damaged or from a newer trustform", i, c.Action)
		}
		mc, err := c.model()
		if err != nil {
			return nil, nil, fmt.Errorf("change %d: %w", i, err)
		}
		p.Changes = append(p.Changes, mc)
		// A role being adopted is read in full (engine.RoleDetailer) when
		// the plan is made; the re-read that checks the plan is fresh must
		// read it the same way, so the rebuilt configuration names it.
		if r, ok := mc.After.(*model.Role); ok && mc.Action == model.Adopt {
			cfg.Roles = append(cfg.Roles, &model.RoleConfig{Address: c.Block, Account: c.Account.ID, Name: r.Name, Adopt: true})
		}
	}
	for i, a := range d.AccessChanges {
		ac, err := a.model()
		if err != nil {
			return nil, nil, fmt.Errorf("access change %d %w", i, err)
		}
		p.Access = append(p.Access, ac)
	}
	for i, a := range d.AccessOutside {
		ac, err := a.model()
		if err != nil {
			return nil, nil, fmt.Errorf("access change outside the stack %d %w", i, err)
		}
		p.AccessOutside = append(p.AccessOutside, ac)
	}
	for _, x := range d.Expectations {
		p.Expectations = append(p.Expectations, model.ExpectationResult{Address: x.Address, Summary: x.Summary, Passed: x.Passed, Reasons: x.Reasons})
	}
	return p, cfg, nil
}

// Fingerprint hashes the accounts as read, in a stable encoding
// (encoding/json sorts map keys), ownership flags included. It hashes the
// model, not the document's structs: it must change with anything the
// engine reads, fields that plans do not carry included.
func Fingerprint(s *model.State) string {
	b, _ := json.Marshal(s)
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Write writes a saved plan: the document with its fingerprint and checksum.
func Write(w io.Writer, d Document) error {
	d.Checksum = ""
	body, err := json.Marshal(d)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	d.Checksum = "sha256:" + hex.EncodeToString(sum[:])
	return Encode(w, d)
}

// Encode writes the plan document as plan -json prints it (indented, the
// document as given, checksum included if set).
func Encode(w io.Writer, d Document) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// MaxSize is the largest saved plan Read accepts: ten times the plan of
// the largest stack benchmarked (10,040 objects applied from empty, 23 MB).
// encoding/json bounds the nesting itself, at 10,000 levels.
const MaxSize = 256 << 20

// Read reads a saved plan and verifies its checksum. Unknown fields are
// refused at every level: a saved plan holds only what Write writes, and
// the checksum is over the document's encoding.
func Read(r io.Reader) (Document, error) {
	var d Document
	lr := &io.LimitedReader{R: r, N: MaxSize + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		switch {
		case lr.N <= 0:
			return d, fmt.Errorf("not a saved plan: it is larger than %d MiB, more than any plan trustform writes; make a new plan with trustform plan -out FILE", MaxSize>>20)
		case errors.Is(err, io.EOF):
			return d, fmt.Errorf("not a saved plan: the file is empty; save one with trustform plan -out FILE")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return d, fmt.Errorf("the saved plan is truncated: it ends after %d bytes, in the middle of the plan, so it was cut short while it was written or copied; copy it again, or make a new plan with trustform plan -out FILE", MaxSize+1-lr.N)
		}
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return d, fmt.Errorf("not a trustform plan: %v (at byte %d); save one with trustform plan -out FILE", err, syn.Offset)
		}
		return d, fmt.Errorf("not a trustform plan: %v; save one with trustform plan -out FILE", err)
	}
	if d.Checksum == "" || d.Fingerprint == "" {
		return d, fmt.Errorf("not a saved plan (no checksum or fingerprint): save one with trustform plan -out FILE")
	}
	want := d.Checksum
	d.Checksum = ""
	body, err := json.Marshal(d)
	if err != nil {
		return d, err
	}
	sum := sha256.Sum256(body)
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != want {
		return d, fmt.Errorf("the saved plan was changed after it was written (checksum %s, content hashes to %s): make a new plan instead of editing one", want, got)
	}
	d.Checksum = want
	return d, nil
}

func nilUnless(ok bool, conds []string) []string {
	if !ok {
		return nil
	}
	return nonNilStrings(conds)
}

func nonNil(a []AttrDiff) []AttrDiff {
	if a == nil {
		return []AttrDiff{}
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

// accessChangeOf is an access change as the wire writes it.
func accessChangeOf(a model.AccessChange) AccessChange {
	kind := a.Kind
	if kind == "" {
		kind = model.AccessPrincipal
	}
	// The wire writes principals as policies do (Principal.String): the
	// format predates typed principals, and its bytes stay as they were.
	ac := AccessChange{Kind: kind, Role: a.Role.ARN(), Principal: a.Principal.String(), Before: nilUnless(a.CanBefore, a.Before), After: nilUnless(a.CanAfter, a.After), Broadens: a.Broadens()}
	if a.IsDelegation() && a.TodayKnown {
		ac.Today = make([]string, 0, len(a.Today))
		for _, t := range a.Today {
			ac.Today = append(ac.Today, t.String())
		}
	}
	return ac
}

// model reads an access change back; the error completes "access change
// N ...".
func (a AccessChange) model() (model.AccessChange, error) {
	kind := a.Kind
	if kind == "" {
		kind = model.AccessPrincipal
	}
	role, err := model.ParsePrincipal(a.Role)
	if err != nil || role.Kind != model.PrincipalRole {
		return model.AccessChange{}, fmt.Errorf("is of %q, which is not a role's ARN: the plan is damaged", a.Role)
	}
	// The wire holds principals as text, without the Principal element
	// that named them: policy.ReadPrincipalValue reads them back (a web
	// identity provider named by a host AWS does not list reads as a
	// service).
	var today []model.Principal
	if a.Today != nil {
		today = make([]model.Principal, 0, len(a.Today))
		for _, t := range a.Today {
			today = append(today, policy.ReadPrincipalValue(t))
		}
	}
	return model.AccessChange{Kind: kind, Role: role, Principal: policy.ReadPrincipalValue(a.Principal), Before: a.Before, After: a.After, CanBefore: a.Before != nil, CanAfter: a.After != nil,
		Today: today, TodayKnown: a.Today != nil}, nil
}
