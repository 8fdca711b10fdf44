package access

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// Case is one evaluation case of the corpus (testdata/eval): a state, a
// request and the answer AWS's documented logic gives. The JSON form is
// described in the package documentation.
type Case struct {
	Name    string    `json:"name"`
	Cites   string    `json:"cites"` // the AWS documentation page and section the answer follows
	Spec    StateSpec `json:"state"`
	Request Request   `json:"request"`
	// SessionPolicies, optional, are the session policies passed when the
	// request's session was made (documents), as explain --session-policy
	// gives them.
	SessionPolicies []json.RawMessage `json:"session_policies,omitempty"`
	Want            Want              `json:"want"`
	// WhoCan, when given, is also checked: who can assume a role of the
	// state (WhoCanAssume), and under which conditions.
	WhoCan *WhoCanWant `json:"who_can,omitempty"`
	File   string      `json:"-"` // the file the case was read from
}

// WhoCanWant is the expected answer of WhoCanAssume for a role: every
// principal, in order, with its conditions in words.
type WhoCanWant struct {
	Role string          `json:"role"`
	Want []AssumerWanted `json:"want"`
}

// AssumerWanted is one expected Assumer.
type AssumerWanted struct {
	Principal  string   `json:"principal"`
	Conditions []string `json:"conditions"`
}

// StateSpec is the compact JSON form of a state: accounts by id, and the
// documents of AWS managed policies the case needs beyond those the
// evaluator is given.
type StateSpec struct {
	Accounts   map[string]AccountSpec     `json:"accounts"`
	AWSManaged map[string]json.RawMessage `json:"aws_managed,omitempty"` // ARN → document
	// Organization, optional, is the organisation the accounts are in, in
	// the form local seed files write it (model.OrganizationSpec).
	Organization *model.OrganizationSpec `json:"organization,omitempty"`
}

// AccountSpec is one account; objects are keyed by name.
type AccountSpec struct {
	Partition string                `json:"partition,omitempty"`
	Users     map[string]UserSpec   `json:"users,omitempty"`
	Groups    map[string]GroupSpec  `json:"groups,omitempty"`
	Roles     map[string]RoleSpec   `json:"roles,omitempty"`
	Policies  map[string]PolicySpec `json:"policies,omitempty"` // customer managed
}

// UserSpec is a user: its groups (names in the same account) and policies.
type UserSpec struct {
	Path     string                     `json:"path,omitempty"`
	Groups   []string                   `json:"groups,omitempty"`
	Inline   map[string]json.RawMessage `json:"inline,omitempty"`
	Attached []string                   `json:"attached,omitempty"` // policy ARNs
	Boundary string                     `json:"boundary,omitempty"` // ARN of its permissions boundary
	Tags     map[string]string          `json:"tags,omitempty"`
}

// GroupSpec is a group and its policies.
type GroupSpec struct {
	Path     string                     `json:"path,omitempty"`
	Inline   map[string]json.RawMessage `json:"inline,omitempty"`
	Attached []string                   `json:"attached,omitempty"`
}

// RoleSpec is a role: its trust policy and its permission policies.
type RoleSpec struct {
	Path     string                     `json:"path,omitempty"`
	Trust    json.RawMessage            `json:"trust"`
	Inline   map[string]json.RawMessage `json:"inline,omitempty"`
	Attached []string                   `json:"attached,omitempty"`
	Boundary string                     `json:"boundary,omitempty"` // ARN of its permissions boundary
	Tags     map[string]string          `json:"tags,omitempty"`
}

// PolicySpec is a customer managed policy.
type PolicySpec struct {
	Path     string          `json:"path,omitempty"`
	Document json.RawMessage `json:"document"`
}

// Want is the expected answer. Every string of ReasonContains must occur in
// some reason (rendered as Reason.String); every string of CaveatContains
// in some caveat.
type Want struct {
	Allowed        bool     `json:"allowed"`
	Decision       string   `json:"decision"`
	ReasonContains []string `json:"reason_contains,omitempty"`
	CaveatContains []string `json:"caveat_contains,omitempty"`
}

// LoadCase reads one corpus file: a case, or a list of cases.
func LoadCase(path string) ([]Case, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cases []Case
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields() // a misspelt field would silently test nothing
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '[' {
		err = dec.Decode(&cases)
	} else {
		var c Case
		err = dec.Decode(&c)
		cases = []Case{c}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var errs []error
	names := map[string]bool{}
	for i := range cases {
		cases[i].File = path
		if err := cases[i].validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: case %d (%q): %v", path, i+1, cases[i].Name, err))
		}
		if names[cases[i].Name] {
			errs = append(errs, fmt.Errorf("%s: case name %q is used twice", path, cases[i].Name))
		}
		names[cases[i].Name] = true
	}
	return cases, errors.Join(errs...)
}

func (c *Case) validate() error {
	switch {
	case c.Name == "":
		return errors.New("no name")
	case c.Cites == "":
		return errors.New("no cites: name the AWS documentation the answer follows")
	case c.Request.Principal == "" || c.Request.Action == "" || c.Request.Resource == "":
		return errors.New("request needs principal, action and resource")
	case !slices.Contains([]string{DecisionAllow, DecisionExplicitDeny, DecisionImplicitDeny}, c.Want.Decision):
		return fmt.Errorf("want.decision %q is not allow, explicit deny or implicit deny", c.Want.Decision)
	case c.Want.Allowed != (c.Want.Decision == DecisionAllow):
		return errors.New("want.allowed disagrees with want.decision")
	}
	if c.WhoCan != nil && c.WhoCan.Role == "" {
		return errors.New("who_can needs a role")
	}
	if o := c.Spec.Organization; o != nil {
		if _, err := o.Build(); err != nil {
			return fmt.Errorf("organization: %w", err)
		}
	}
	for id, a := range c.Spec.Accounts {
		for name, r := range a.Roles {
			if len(r.Trust) == 0 {
				return fmt.Errorf("role %q in %s has no trust policy", name, id)
			}
		}
	}
	return nil
}

// document turns a JSON document given as an object into its text; a JSON
// string is taken as the text itself, so a case can hold a document that
// does not parse.
func document(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

func documents(m map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = document(v)
	}
	return out
}

// State builds the case's state.
func (c Case) State() *model.State {
	s := model.NewState()
	for id, spec := range c.Spec.Accounts {
		a := s.Account(id, spec.Partition)
		for name, p := range spec.Policies {
			a.Policies[model.NameKey(name)] = &model.ManagedPolicy{Name: name, Path: pathOf(p.Path), Document: document(p.Document)}
		}
		for name, g := range spec.Groups {
			a.Groups[model.NameKey(name)] = &model.Group{Name: name, Path: pathOf(g.Path),
				AttachedPolicies: slices.Sorted(slices.Values(g.Attached)), InlinePolicies: documents(g.Inline)}
		}
		for name, u := range spec.Users {
			a.Users[model.NameKey(name)] = &model.User{Name: name, Path: pathOf(u.Path), Tags: u.Tags,
				Groups: slices.Sorted(slices.Values(u.Groups)), AttachedPolicies: slices.Sorted(slices.Values(u.Attached)),
				InlinePolicies: documents(u.Inline), PermissionsBoundary: u.Boundary}
		}
		for name, r := range spec.Roles {
			a.Roles[model.NameKey(name)] = &model.Role{Name: name, Path: pathOf(r.Path), TrustPolicy: document(r.Trust),
				MaxSessionDuration: 3600, Tags: r.Tags, AttachedPolicies: slices.Sorted(slices.Values(r.Attached)),
				InlinePolicies: documents(r.Inline), PermissionsBoundary: r.Boundary}
		}
	}
	if o := c.Spec.Organization; o != nil {
		// LoadCase has built it once: a case that reaches here builds.
		s.Organization, _ = o.Build()
	}
	return s
}

// Inputs are the evaluator's inputs for the case on a state (its own, or
// one read back from a target): the state, the AWS managed policies
// (Case.AWSManaged over fallback) and the case's session policies.
func (c Case) Inputs(s *model.State, fallback func(arn string) (string, bool)) Inputs {
	in := Inputs{State: s, Policies: c.AWSManaged(fallback)}
	if len(c.SessionPolicies) > 0 {
		docs := make([]string, len(c.SessionPolicies))
		for i, d := range c.SessionPolicies {
			docs[i] = document(d)
		}
		in.SessionPolicies = map[string][]string{c.Request.Principal: docs}
	}
	return in
}

// AWSManaged returns the resolver of AWS managed policies for the case: the
// case's own documents first, then fallback (which may be nil).
func (c Case) AWSManaged(fallback func(arn string) (string, bool)) func(arn string) (string, bool) {
	return func(arn string) (string, bool) {
		if raw, ok := c.Spec.AWSManaged[arn]; ok {
			return document(raw), true
		}
		if fallback != nil {
			return fallback(arn)
		}
		return "", false
	}
}

// CheckWhoCan compares WhoCanAssume's answer with the case's who_can
// expectation, if it has one, and says what differs.
func (c Case) CheckWhoCan(got []Assumer) error {
	if c.WhoCan == nil {
		return nil
	}
	var g []string
	for _, a := range got {
		g = append(g, fmt.Sprintf("%s %q", a.Principal, a.Conditions))
	}
	var w []string
	for _, a := range c.WhoCan.Want {
		w = append(w, fmt.Sprintf("%s %q", a.Principal, a.Conditions))
	}
	if slices.Equal(g, w) {
		return nil
	}
	return fmt.Errorf("who can assume %s:\n  got  %s\n  want %s", c.WhoCan.Role, strings.Join(g, "\n       "), strings.Join(w, "\n       "))
}

// Check compares a result with the case's expectation and says what differs.
func (c Case) Check(r Result) error {
	var problems []string
	if r.Allowed != c.Want.Allowed || r.Decision != c.Want.Decision {
		problems = append(problems, fmt.Sprintf("decision %q (allowed %v), want %q (allowed %v)", r.Decision, r.Allowed, c.Want.Decision, c.Want.Allowed))
	}
	reasons := make([]string, len(r.Reasons))
	for i, x := range r.Reasons {
		reasons[i] = x.String()
	}
	for _, want := range c.Want.ReasonContains {
		if !slices.ContainsFunc(reasons, func(s string) bool { return strings.Contains(s, want) }) {
			problems = append(problems, fmt.Sprintf("no reason contains %q", want))
		}
	}
	for _, want := range c.Want.CaveatContains {
		if !slices.ContainsFunc(r.Caveats, func(s string) bool { return strings.Contains(s, want) }) {
			problems = append(problems, fmt.Sprintf("no caveat contains %q", want))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%s\nreasons:\n  %s\ncaveats:\n  %s", strings.Join(problems, "; "),
		strings.Join(reasons, "\n  "), strings.Join(r.Caveats, "\n  "))
}
