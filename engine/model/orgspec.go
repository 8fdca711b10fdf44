package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// OrganizationSpec is the JSON form in which a person describes an AWS
// organisation: the local target's seed files (local-seed.json's
// "organization") and the evaluation corpus (testdata/eval) write it, and
// Build turns it into the Organization the evaluator reads. Units and
// accounts name their parent (the root's ID or an OU's); policies are
// attached by ID.
//
// As AWS attaches FullAWSAccess (p-FullAWSAccess) to the root, every OU and
// every account when SCPs are enabled, a level whose scps list is absent
// has it attached; a list given replaces it, so that a level without
// FullAWSAccess can be described. RCPFullAWSAccess (p-RCPFullAWSAccess) is
// attached to every level when RCPs are enabled and cannot be detached
// ("RCP syntax"): a level's rcps list adds to it. Both policies are known
// without being listed under policies.
type OrganizationSpec struct {
	ID                      string   `json:"id"`
	ManagementAccount       string   `json:"management_account"`
	DelegatedAdministrators []string `json:"delegated_administrators,omitempty"`
	// PolicyTypes are those enabled on the root: SERVICE_CONTROL_POLICY,
	// RESOURCE_CONTROL_POLICY. None is enabled unless listed, as in a new
	// organisation.
	PolicyTypes []string                   `json:"policy_types,omitempty"`
	Root        OrgRootSpec                `json:"root"`
	Units       map[string]*OrgUnitSpec    `json:"units,omitempty"`    // by OU ID
	Accounts    map[string]*OrgAccountSpec `json:"accounts"`           // by account ID
	Policies    map[string]*OrgPolicySpec  `json:"policies,omitempty"` // by policy ID
}

// OrgRootSpec is the root: its ID (r-...) and the policies attached to it.
type OrgRootSpec struct {
	ID   string    `json:"id"`
	SCPs *[]string `json:"scps,omitempty"`
	RCPs *[]string `json:"rcps,omitempty"`
}

// OrgUnitSpec is an organizational unit.
type OrgUnitSpec struct {
	Name   string    `json:"name"`
	Parent string    `json:"parent"`
	SCPs   *[]string `json:"scps,omitempty"`
	RCPs   *[]string `json:"rcps,omitempty"`
}

// OrgAccountSpec is an account's place.
type OrgAccountSpec struct {
	Parent string    `json:"parent"`
	SCPs   *[]string `json:"scps,omitempty"`
	RCPs   *[]string `json:"rcps,omitempty"`
}

// OrgPolicySpec is an SCP or RCP.
type OrgPolicySpec struct {
	Name string `json:"name"`
	Type string `json:"type"` // SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY
	// Document is a JSON object, or a JSON string holding the document.
	Document json.RawMessage `json:"document"`
}

// The policy types, as Organizations names them.
const (
	SCPType = "SERVICE_CONTROL_POLICY"
	RCPType = "RESOURCE_CONTROL_POLICY"
)

// The policies AWS attaches everywhere when a type is enabled, with the
// documents AWS gives them.
var (
	FullAWSAccess = OrgPolicy{ID: "p-FullAWSAccess", Name: "FullAWSAccess",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}
	RCPFullAWSAccess = OrgPolicy{ID: "p-RCPFullAWSAccess", Name: "RCPFullAWSAccess",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`}
)

// maxOrgDepth is how deep OUs may nest under the root (AWS Organizations
// quotas: five levels of OUs).
const maxOrgDepth = 5

// Build checks the description and returns the organisation with a path
// for every account it places.
func (s *OrganizationSpec) Build() (*Organization, error) {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !strings.HasPrefix(s.ID, "o-") {
		fail("id %q is not an organisation ID (o-...)", s.ID)
	}
	if !IsAccountID(s.ManagementAccount) {
		fail("management_account %q is not a 12-digit account ID", s.ManagementAccount)
	}
	if !strings.HasPrefix(s.Root.ID, "r-") {
		fail("root.id %q is not a root ID (r-...)", s.Root.ID)
	}
	org := &Organization{ID: s.ID, ManagementAccount: s.ManagementAccount, Paths: map[string][]*OrgLevel{}}
	for _, t := range s.PolicyTypes {
		switch t {
		case SCPType:
			org.SCPs = true
		case RCPType:
			org.RCPs = true
		default:
			fail("policy_types: %q is neither %s nor %s", t, SCPType, RCPType)
		}
	}
	policies := map[string]OrgPolicy{FullAWSAccess.ID: FullAWSAccess, RCPFullAWSAccess.ID: RCPFullAWSAccess}
	types := map[string]string{FullAWSAccess.ID: SCPType, RCPFullAWSAccess.ID: RCPType}
	for _, id := range slices.Sorted(maps.Keys(s.Policies)) {
		p := s.Policies[id]
		if _, builtin := policies[id]; builtin {
			fail("policies: %s is AWS's own and cannot be redefined", id)
			continue
		}
		if p == nil || p.Name == "" || (p.Type != SCPType && p.Type != RCPType) {
			fail("policies: %s needs a name and a type (%s or %s)", id, SCPType, RCPType)
			continue
		}
		doc, err := documentText(p.Document)
		if err != nil {
			fail("policies: %s: %v", id, err)
			continue
		}
		policies[id] = OrgPolicy{ID: id, Name: p.Name, Document: doc}
		types[id] = p.Type
	}
	attached := func(where string, list *[]string, typ string, enabled bool, full OrgPolicy) []OrgPolicy {
		if !enabled {
			if list != nil && len(*list) > 0 {
				fail("%s attaches %s policies, but that policy type is not enabled (policy_types)", where, typ)
			}
			return nil
		}
		if list == nil {
			return []OrgPolicy{full}
		}
		var out []OrgPolicy
		if typ == RCPType {
			out = append(out, full)
		}
		for _, id := range *list {
			if typ == RCPType && id == full.ID {
				continue
			}
			p, ok := policies[id]
			switch {
			case !ok:
				fail("%s attaches %s, which is not under policies", where, id)
			case types[id] != typ:
				fail("%s lists %s among its %s policies, but it is a %s", where, id, typ, types[id])
			default:
				out = append(out, p)
			}
		}
		return out
	}
	level := func(id, kind, name, where string, scps, rcps *[]string) *OrgLevel {
		return &OrgLevel{ID: id, Kind: kind, Name: name,
			SCPs: attached(where, scps, SCPType, org.SCPs, FullAWSAccess),
			RCPs: attached(where, rcps, RCPType, org.RCPs, RCPFullAWSAccess)}
	}
	root := level(s.Root.ID, OrgRoot, "Root", "root", s.Root.SCPs, s.Root.RCPs)
	units := map[string]*OrgLevel{}
	for _, id := range slices.Sorted(maps.Keys(s.Units)) {
		u := s.Units[id]
		if u == nil || !strings.HasPrefix(id, "ou-") || u.Name == "" {
			fail("units: %q needs an OU ID (ou-...) and a name", id)
			continue
		}
		units[id] = level(id, OrgUnit, u.Name, "unit "+id, u.SCPs, u.RCPs)
	}
	// pathTo is the levels from the root down to parent, checked for
	// parents that do not exist, cycles and depth.
	pathTo := func(parent, where string) ([]*OrgLevel, bool) {
		var rev []*OrgLevel
		seen := map[string]bool{}
		for parent != s.Root.ID {
			u, ok := units[parent]
			if !ok || seen[parent] {
				if seen[parent] {
					fail("%s: the units above it form a cycle through %s", where, parent)
				} else {
					fail("%s: parent %q is neither the root nor a unit", where, parent)
				}
				return nil, false
			}
			seen[parent] = true
			rev = append(rev, u)
			parent = s.Units[parent].Parent
		}
		if len(rev) > maxOrgDepth {
			fail("%s is %d OUs deep; AWS Organizations allows %d", where, len(rev), maxOrgDepth)
		}
		path := []*OrgLevel{root}
		for i := len(rev) - 1; i >= 0; i-- {
			path = append(path, rev[i])
		}
		return path, true
	}
	for _, id := range slices.Sorted(maps.Keys(s.Units)) {
		if units[id] != nil {
			pathTo(s.Units[id].Parent, "unit "+id)
		}
	}
	if _, ok := s.Accounts[s.ManagementAccount]; !ok && IsAccountID(s.ManagementAccount) {
		fail("the management account %s is not under accounts", s.ManagementAccount)
	}
	for _, id := range slices.Sorted(maps.Keys(s.Accounts)) {
		a := s.Accounts[id]
		if !IsAccountID(id) || a == nil {
			fail("accounts: %q is not a 12-digit account ID with a parent", id)
			continue
		}
		path, ok := pathTo(a.Parent, "account "+id)
		if !ok {
			continue
		}
		org.Paths[id] = append(path, level(id, OrgAccount, "", "account "+id, a.SCPs, a.RCPs))
	}
	for _, id := range s.DelegatedAdministrators {
		if _, ok := s.Accounts[id]; !ok {
			fail("delegated_administrators: %s is not under accounts", id)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return org, nil
}

// Administers reports whether an account may read the organisation: its
// management account or a delegated administrator.
func (s *OrganizationSpec) Administers(account string) bool {
	return account == s.ManagementAccount || slices.Contains(s.DelegatedAdministrators, account)
}

// IsAccountID reports whether s is an AWS account ID: exactly 12 digits.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// documentText is a document given as a JSON object (compacted) or as a
// JSON string holding it.
func documentText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case len(raw) > 0 && raw[0] == '{':
		var buf bytes.Buffer
		err := json.Compact(&buf, raw)
		return buf.String(), err
	}
	return "", errors.New("the document must be a JSON object or a string holding one")
}
