package model

import (
	"maps"
	"slices"
	"strings"
)

// State is the IAM content of a set of accounts. The same type describes what
// a stack wants (desired), what a target holds (actual) and what a target will
// hold once a plan is applied (projected).
type State struct {
	Accounts map[string]*Account // keyed by account ID
	// Organization is the organisation the accounts belong to, when the
	// stack declares an organization block; nil otherwise.
	Organization *Organization `json:",omitempty"`
}

// NewState returns an empty state.
func NewState() *State { return &State{Accounts: map[string]*Account{}} }

// Account returns the account with the given ID, creating an empty one if needed.
func (s *State) Account(id, partition string) *Account {
	if a, ok := s.Accounts[id]; ok {
		return a
	}
	a := NewAccount(id, partition)
	s.Accounts[id] = a
	return a
}

// AccountIDs returns the account IDs in sorted order.
func (s *State) AccountIDs() []string { return slices.Sorted(maps.Keys(s.Accounts)) }

// Account is one AWS account's IAM objects. Maps are keyed by NameKey(name)
// because IAM compares names of roles, users, groups and policies without
// regard to case.
type Account struct {
	ID        string                    `json:"id"`
	Partition string                    `json:"partition"` // "aws" unless set
	Roles     map[string]*Role          `json:"roles"`
	Policies  map[string]*ManagedPolicy `json:"policies"` // customer-managed policies only
	Groups    map[string]*Group         `json:"groups"`
	Users     map[string]*User          `json:"users"`
}

// NewAccount returns an empty account.
func NewAccount(id, partition string) *Account {
	if partition == "" {
		partition = "aws"
	}
	return &Account{
		ID:        id,
		Partition: partition,
		Roles:     map[string]*Role{},
		Policies:  map[string]*ManagedPolicy{},
		Groups:    map[string]*Group{},
		Users:     map[string]*User{},
	}
}

// NameKey is the map key IAM's case-insensitive name comparison implies.
func NameKey(name string) string { return strings.ToLower(name) }

// Role is an IAM role with everything trustform manages on it.
type Role struct {
	Name               string `json:"name"`
	Path               string `json:"path"` // "/" unless set
	Description        string `json:"description,omitempty"`
	TrustPolicy        string `json:"trust_policy"`         // JSON document
	MaxSessionDuration int    `json:"max_session_duration"` // seconds, 3600..43200
	// PermissionsBoundary is the ARN of the managed policy set as the role's
	// permissions boundary, "" for none.
	PermissionsBoundary string            `json:"permissions_boundary,omitempty"`
	Tags                map[string]string `json:"tags,omitempty"`
	AttachedPolicies    []string          `json:"attached_policies,omitempty"` // managed policy ARNs, sorted
	InlinePolicies      map[string]string `json:"inline_policies,omitempty"`   // policy name → JSON document
	Owned               bool              `json:"owned"`                       // the stack owns the role itself
	Adopt               bool              `json:"adopt,omitempty"`             // desired only: take it over if it exists
}

// ManagedPolicy is a customer-managed policy and its default version.
type ManagedPolicy struct {
	Name        string            `json:"name"`
	Path        string            `json:"path"`
	Description string            `json:"description,omitempty"`
	Document    string            `json:"document"` // default version, JSON
	Tags        map[string]string `json:"tags,omitempty"`
	Owned       bool              `json:"owned"`
	Adopt       bool              `json:"adopt,omitempty"`
}

// Group is an IAM group. IAM groups cannot carry tags, which is why
// ownership of a group is recorded in its path (see OwnedGroupPath).
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
	Name string            `json:"name"`
	Path string            `json:"path"`
	Tags map[string]string `json:"tags,omitempty"`
	// PermissionsBoundary is the ARN of the user's permissions boundary
	// policy, "" for none.
	PermissionsBoundary string            `json:"permissions_boundary,omitempty"`
	Groups              []string          `json:"groups,omitempty"` // group names, sorted
	AttachedPolicies    []string          `json:"attached_policies,omitempty"`
	InlinePolicies      map[string]string `json:"inline_policies,omitempty"`
	Owned               bool              `json:"owned"`
	Adopt               bool              `json:"adopt,omitempty"`
}

// ARN helpers. Paths are part of IAM ARNs.

// RoleARN returns the ARN of a role.
func RoleARN(partition, account, path, name string) string {
	return "arn:" + PartitionOr(partition) + ":iam::" + account + ":role" + PathOr(path) + name
}

// UserARN returns the ARN of a user.
func UserARN(partition, account, path, name string) string {
	return "arn:" + PartitionOr(partition) + ":iam::" + account + ":user" + PathOr(path) + name
}

// GroupARN returns the ARN of a group.
func GroupARN(partition, account, path, name string) string {
	return "arn:" + PartitionOr(partition) + ":iam::" + account + ":group" + PathOr(path) + name
}

// PolicyARN returns the ARN of a customer-managed policy.
func PolicyARN(partition, account, path, name string) string {
	return "arn:" + PartitionOr(partition) + ":iam::" + account + ":policy" + PathOr(path) + name
}

// RootARN returns the ARN of an account's root principal.
func RootARN(partition, account string) string {
	return "arn:" + PartitionOr(partition) + ":iam::" + account + ":root"
}

// SessionARN returns the ARN of a role session. It names the role without
// its path, as STS writes it.
func SessionARN(partition, account, role, session string) string {
	return "arn:" + PartitionOr(partition) + ":sts::" + account + ":assumed-role/" + role + "/" + session
}

func PartitionOr(p string) string {
	if p == "" {
		return "aws"
	}
	return p
}

func PathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// Clone returns a deep copy of the state.
func (s *State) Clone() *State {
	out := NewState()
	for id, a := range s.Accounts {
		out.Accounts[id] = a.Clone()
	}
	out.Organization = s.Organization.Clone()
	return out
}

// Clone returns a deep copy of the account.
func (a *Account) Clone() *Account {
	out := NewAccount(a.ID, a.Partition)
	for k, r := range a.Roles {
		out.Roles[k] = r.Clone()
	}
	for k, p := range a.Policies {
		out.Policies[k] = p.Clone()
	}
	for k, g := range a.Groups {
		out.Groups[k] = g.Clone()
	}
	for k, u := range a.Users {
		out.Users[k] = u.Clone()
	}
	return out
}

// Clone returns a deep copy of the role.
func (r *Role) Clone() *Role {
	c := *r
	c.Tags = maps.Clone(r.Tags)
	c.AttachedPolicies = slices.Clone(r.AttachedPolicies)
	c.InlinePolicies = maps.Clone(r.InlinePolicies)
	return &c
}

// Clone returns a deep copy of the policy.
func (p *ManagedPolicy) Clone() *ManagedPolicy {
	c := *p
	c.Tags = maps.Clone(p.Tags)
	return &c
}

// Clone returns a deep copy of the group.
func (g *Group) Clone() *Group {
	c := *g
	c.AttachedPolicies = slices.Clone(g.AttachedPolicies)
	c.InlinePolicies = maps.Clone(g.InlinePolicies)
	return &c
}

// Clone returns a deep copy of the user.
func (u *User) Clone() *User {
	c := *u
	c.Tags = maps.Clone(u.Tags)
	c.Groups = slices.Clone(u.Groups)
	c.AttachedPolicies = slices.Clone(u.AttachedPolicies)
	c.InlinePolicies = maps.Clone(u.InlinePolicies)
	return &c
}
