package local

import (
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/policy"
)

// sim is the simulated IAM content of every account the simulation holds.
// It keeps what model.State cannot: every version of a managed policy, and
// the unique IDs IAM gives roles and users (which trust policies fall back to
// when the principal they name is deleted).
type sim struct {
	accounts map[string]*simAccount
	// org is the organisation the accounts are in, as the seed or state
	// file describes it, and built, its description checked, once; nil
	// when there is none.
	org      *model.OrganizationSpec
	orgBuilt *model.Organization
	// deferPrincipals skips the "does this trusted role or user exist" check
	// while a seed is being built, so that roles may trust each other in any
	// order in the file; the seed loader checks every trust policy at the end.
	deferPrincipals bool
	// private, while a change runs on a copy (copyFor), holds the accounts
	// the copy owns; the others are shared with the simulation it was
	// copied from and are copied before they are changed (mutable). nil
	// outside a change.
	private map[string]bool
}

type simAccount struct {
	id        string
	partition string
	roles     map[string]*simRole // keyed by model.NameKey
	policies  map[string]*simPolicy
	groups    map[string]*model.Group
	users     map[string]*simUser
	// serial counts the roles and users ever created in the account. It
	// makes unique IDs deterministic (same history, same IDs: plans stay
	// reproducible) yet different for a re-created principal of the same name.
	serial int
}

type simRole struct {
	model.Role
	uniqueID string // AROA...
}

type simUser struct {
	model.User
	uniqueID string // AIDA...
}

type simPolicy struct {
	name        string
	path        string
	description string
	tags        map[string]string
	versions    []policyVersion // in create order
	nextVersion int             // IAM never reuses a version number
}

type policyVersion struct {
	id        string // "v1", "v2", ...
	document  string
	isDefault bool
}

func newSim() *sim { return &sim{accounts: map[string]*simAccount{}} }

// setOrganization checks and keeps the description of an organisation (nil
// for none). It is never changed by Apply, so clones share it.
func (s *sim) setOrganization(spec *model.OrganizationSpec) error {
	if spec == nil {
		s.org, s.orgBuilt = nil, nil
		return nil
	}
	org, err := spec.Build()
	if err != nil {
		return fmt.Errorf("organization: %w", err)
	}
	s.org, s.orgBuilt = spec, org
	return nil
}

// account returns the account, adding an empty one when the simulation does
// not hold it yet: every 12-digit account exists on AWS, empty until used.
func (s *sim) account(id, partition string) (*simAccount, error) {
	if err := validateAccountID(id); err != nil {
		return nil, err
	}
	if partition == "" {
		partition = "aws"
	}
	if !partitions[partition] {
		return nil, fmt.Errorf("local target: account %s: unknown partition %q", id, partition)
	}
	if a, ok := s.accounts[id]; ok {
		if a.partition != partition {
			return nil, fmt.Errorf("local target: account %s is held in partition %q, not %q", id, a.partition, partition)
		}
		return a, nil
	}
	a := &simAccount{
		id:        id,
		partition: partition,
		roles:     map[string]*simRole{},
		policies:  map[string]*simPolicy{},
		groups:    map[string]*model.Group{},
		users:     map[string]*simUser{},
	}
	s.accounts[id] = a
	return a, nil
}

// copyFor is a copy of the simulation for a change in one account: that
// account is copied, the others shared until the change would alter them
// (mutable). A change then costs its account's size, not the whole
// simulation's.
func (s *sim) copyFor(id string) *sim {
	out := &sim{accounts: maps.Clone(s.accounts), deferPrincipals: s.deferPrincipals, org: s.org, orgBuilt: s.orgBuilt, private: map[string]bool{}}
	if a, ok := out.accounts[id]; ok {
		out.accounts[id] = a.clone()
		out.private[id] = true
	}
	return out
}

// mutable returns an account of the simulation that a change may alter:
// inside a change on a copy, one not yet copied is copied first.
func (s *sim) mutable(id string) *simAccount {
	a := s.accounts[id]
	if a == nil || s.private == nil || s.private[id] {
		return a
	}
	a = a.clone()
	s.accounts[id] = a
	s.private[id] = true
	return a
}

func (s *sim) clone() *sim {
	out := &sim{accounts: make(map[string]*simAccount, len(s.accounts)), deferPrincipals: s.deferPrincipals, org: s.org, orgBuilt: s.orgBuilt}
	for id, a := range s.accounts {
		out.accounts[id] = a.clone()
	}
	return out
}

func (a *simAccount) clone() *simAccount {
	out := &simAccount{
		id:        a.id,
		partition: a.partition,
		roles:     make(map[string]*simRole, len(a.roles)),
		policies:  make(map[string]*simPolicy, len(a.policies)),
		groups:    make(map[string]*model.Group, len(a.groups)),
		users:     make(map[string]*simUser, len(a.users)),
		serial:    a.serial,
	}
	for k, r := range a.roles {
		out.roles[k] = &simRole{Role: *r.Role.Clone(), uniqueID: r.uniqueID}
	}
	for k, p := range a.policies {
		c := *p
		c.tags = maps.Clone(p.tags)
		c.versions = slices.Clone(p.versions)
		out.policies[k] = &c
	}
	for k, g := range a.groups {
		out.groups[k] = g.Clone()
	}
	for k, u := range a.users {
		out.users[k] = &simUser{User: *u.User.Clone(), uniqueID: u.uniqueID}
	}
	return out
}

// defaultVersion returns the policy's default version.
func (p *simPolicy) defaultVersion() policyVersion {
	for _, v := range p.versions {
		if v.isDefault {
			return v
		}
	}
	return policyVersion{} // unreachable: every operation keeps one default
}

// engineAccount renders the account as the engine sees it: a deep copy,
// lists sorted, empty collections nil (so that what is read does not depend
// on whether the state went through state.json), ownership unset.
func (a *simAccount) engineAccount() *model.Account {
	out := model.NewAccount(a.id, a.partition)
	for k, r := range a.roles {
		c := r.Role.Clone()
		c.AttachedPolicies = sortedOrNil(c.AttachedPolicies)
		c.Tags, c.InlinePolicies = mapOrNil(c.Tags), mapOrNil(c.InlinePolicies)
		c.Owned = false
		out.Roles[k] = c
	}
	for k, p := range a.policies {
		out.Policies[k] = &model.ManagedPolicy{
			Name:        p.name,
			Path:        p.path,
			Description: p.description,
			Document:    p.defaultVersion().document,
			Tags:        mapOrNil(maps.Clone(p.tags)),
		}
	}
	for k, g := range a.groups {
		c := g.Clone()
		c.AttachedPolicies = sortedOrNil(c.AttachedPolicies)
		c.InlinePolicies = mapOrNil(c.InlinePolicies)
		c.Owned = false
		out.Groups[k] = c
	}
	for k, u := range a.users {
		c := u.User.Clone()
		c.Groups = sortedOrNil(c.Groups)
		c.AttachedPolicies = sortedOrNil(c.AttachedPolicies)
		c.Tags, c.InlinePolicies = mapOrNil(c.Tags), mapOrNil(c.InlinePolicies)
		c.Owned = false
		out.Users[k] = c
	}
	return out
}

func (s *sim) engineState() *model.State {
	st := model.NewState()
	for id, a := range s.accounts {
		st.Accounts[id] = a.engineAccount()
	}
	return st
}

// newUniqueID returns an IAM-shaped unique ID (prefix + 17 characters of
// upper-case letters and digits) for the next role or user of the account.
func (a *simAccount) newUniqueID(prefix, kind, name string) string {
	a.serial++
	sum := sha256.Sum256([]byte(a.id + "/" + kind + "/" + strings.ToLower(name) + "/" + strconv.Itoa(a.serial)))
	return prefix + base32.StdEncoding.EncodeToString(sum[:])[:17]
}

// checkTrustPrincipals refuses a trust policy that names a role or user in an
// account the simulation holds when that role or user does not exist. IAM
// resolves such principals when the policy is saved and fails with "Invalid
// principal in policy"; enforcing it locally is what makes a plan that
// creates a role before trusting it apply in the same order on AWS. Accounts
// the simulation does not hold are outside its knowledge and pass.
func (s *sim) checkTrustPrincipals(op string, doc policy.Document, partition string) error {
	if s.deferPrincipals {
		return nil
	}
	for _, st := range doc.Statements {
		for _, v := range st.Principals["AWS"] {
			p, ok := parsePrincipalARN(v, partition)
			if !ok || (p.Kind != model.PrincipalRole && p.Kind != model.PrincipalUser) {
				continue
			}
			a, held := s.accounts[p.Account]
			if !held {
				continue
			}
			if !a.principalExists(p) {
				return invalidPrincipal(op, "AWS", v)
			}
		}
	}
	return nil
}

func (a *simAccount) principalExists(p model.Principal) bool {
	switch p.Kind {
	case model.PrincipalRole:
		r, ok := a.roles[model.NameKey(p.Name)]
		return ok && r.Path == p.Path
	case model.PrincipalUser:
		u, ok := a.users[model.NameKey(p.Name)]
		return ok && u.Path == p.Path
	}
	return false
}

// forgetPrincipal does what IAM does to trust policies when a role or user
// they name is deleted: the principal, which IAM stored by unique ID, now
// shows as that bare ID, and a new principal of the same name is not trusted
// until the trust policy is saved again. The next plan therefore shows the
// trust policy as drifted, as it would on AWS.
func (s *sim) forgetPrincipal(account, kind, path, name, uniqueID string) {
	for _, id := range slices.Sorted(maps.Keys(s.accounts)) {
		a := s.accounts[id]
		for _, k := range slices.Sorted(maps.Keys(a.roles)) {
			r := a.roles[k]
			doc, err := policy.Parse(r.TrustPolicy)
			if err != nil {
				continue
			}
			changed := false
			for _, st := range doc.Statements {
				vals := st.Principals["AWS"]
				for i, v := range vals {
					p, ok := parsePrincipalARN(v, a.partition)
					if ok && p.Account == account && string(p.Kind) == kind && p.Path == path && strings.EqualFold(p.Name, name) {
						vals[i] = uniqueID
						changed = true
					}
				}
			}
			if changed {
				// The account may be shared with the simulation this
				// change runs on a copy of: copy it before altering it.
				a = s.mutable(id)
				a.roles[k].TrustPolicy = doc.JSON()
			}
		}
	}
}

func sortedStrings(in []string) []string {
	slices.Sort(in)
	return in
}

func sortedOrNil(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	return sortedStrings(in)
}

func mapOrNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}
