package model

import "strconv"

// Config is a stack as the schema package understands it: every reference
// resolved, every expression evaluated, every policy document rendered to JSON.
// It is plain data so that the engine needs nothing of HCL.
type Config struct {
	Stack        StackConfig
	Accounts     []*AccountConfig
	Groups       []*GroupConfig
	Users        []*UserConfig
	Policies     []*PolicyConfig
	Roles        []*RoleConfig
	Grants       []*GrantConfig // grant and deny blocks
	Expectations []*ExpectConfig
	// Organization is the organization block; nil when the stack has none.
	Organization *OrganizationConfig
}

// Source is where a block was declared, for messages ("main.hcl:12,1").
type Source struct {
	Filename string
	Line     int
	Column   int
}

// String renders the source as file:line,column.
func (s Source) String() string {
	if s.Filename == "" {
		return ""
	}
	return s.Filename + ":" + strconv.Itoa(s.Line) + "," + strconv.Itoa(s.Column)
}

// StackConfig is the stack block.
type StackConfig struct {
	Name           string // the block label, or the directory name when there is no stack block
	Target         string // "local" (default) or "aws"
	AssumeRoleName string // aws: role the base identity assumes in accounts without credentials
	// RequireApproval is "broadening" when applying a plan that gives access
	// needs an explicit -allow-broadening; "" or "never" otherwise.
	RequireApproval string
	Dir             string // the stack directory
}

// AccountConfig is one account block (or one instance of a for_each account).
type AccountConfig struct {
	Address    string // account.production, account.member["a"]
	Name       string // the address without the "account." prefix, used in plans
	ID         string
	Partition  string
	Profile    string
	AssumeRole *AssumeRoleConfig
	// External marks an account the stack only names — a vendor's, a
	// partner's: trust policies may trust it, but trustform never reads or
	// writes it and holds no credentials for it.
	External bool
	Source   Source
}

// Managed returns the accounts trustform reads and writes: all but the
// external ones.
func (c *Config) Managed() []*AccountConfig {
	out := make([]*AccountConfig, 0, len(c.Accounts))
	for _, a := range c.Accounts {
		if !a.External {
			out = append(out, a)
		}
	}
	return out
}

// Account returns the declared account with the given ID, or nil.
func (c *Config) Account(id string) *AccountConfig {
	for _, a := range c.Accounts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

// AssumeRoleConfig is how the aws target reaches an account from the base identity.
type AssumeRoleConfig struct {
	RoleARN     string
	ExternalID  string
	SessionName string
	Duration    int // seconds, 0 for the default
}

// GroupConfig is a group block.
type GroupConfig struct {
	Address         string
	Account         string // account ID
	Name            string
	Path            string // set only for adopted groups; owned groups live at OwnedGroupPath
	Existing        bool
	Adopt           bool              // take over the group if it exists (see Adoption in ownership.go)
	ManagedPolicies []string          // ARNs
	InlinePolicies  map[string]string // name → JSON
	Source          Source
}

// UserConfig is a user block.
type UserConfig struct {
	Address  string
	Account  string // account ID
	Name     string
	Path     string
	Groups   []string // group names in the same account
	Tags     map[string]string
	Existing bool
	Adopt    bool // take over the user if it exists
	// PermissionsBoundary is the boundary policy's ARN, for owned users.
	PermissionsBoundary string
	// ManagedPolicies and InlinePolicies are the user's own, for owned
	// users; grants add their inline policies to these.
	ManagedPolicies []string
	InlinePolicies  map[string]string
	Source          Source
}

// PolicyConfig is a policy block: a customer-managed policy.
type PolicyConfig struct {
	Address     string
	Account     string // account ID
	Name        string
	Path        string
	Description string
	Document    string // JSON
	Adopt       bool   // take over the policy if it exists
	Source      Source
}

// RoleConfig is a role block.
type RoleConfig struct {
	Address             string
	Account             string // account ID
	Name                string
	Path                string
	Description         string
	MaxSessionDuration  int               // 3600 when not set
	PermissionsBoundary string            // policy ARN, "" for none
	TrustDocument       string            // JSON, built from trust blocks or given as trust_document
	ManagedPolicies     []string          // ARNs
	InlinePolicies      map[string]string // name → JSON
	Tags                map[string]string
	Adopt               bool // take over the role if it exists
	Source              Source
}

// GrantConfig is a grant (Effect "Allow") or deny (Effect "Deny") block: an
// inline policy on each principal in To allowing or denying sts:AssumeRole on
// each role in Roles.
type GrantConfig struct {
	Address string // grant.developers_update_app, deny.testers_update_app
	Effect  string // "Allow" or "Deny"
	To      []PrincipalRef
	Roles   []string // role ARNs
	// PolicyName, when set, names the inline policy instead of the stack's
	// prefix and the address; allowed only on principals the stack owns,
	// since on others the prefix is how the stack knows its own policies.
	PolicyName string
	Source     Source
}

// PrincipalRef names an IAM principal declared in the stack.
type PrincipalRef struct {
	Kind    Kind   // KindGroup, KindUser or KindRole
	Account string // account ID
	Name    string
	ARN     string
}

// ExpectConfig is an expect block. Exactly one of CanAssume, CannotAssume,
// AssumableOnlyBy or TrustsOnly is set (the lists non-nil, perhaps empty).
type ExpectConfig struct {
	Address         string
	Principal       *PrincipalRef // for can_assume / cannot_assume
	CanAssume       string        // role ARN
	CannotAssume    string        // role ARN
	Role            string        // role ARN, for assumable_only_by and trusts_only
	AssumableOnlyBy []PrincipalRef
	// TrustsOnly lists the accounts, roles and users the role's trust
	// policy may admit, judged alone: no other principal may be named.
	TrustsOnly []PrincipalRef
	Source     Source
}

// PartitionOf returns the partition of a declared account ("aws" for one
// the stack does not declare). It looks through every account: code that
// asks once per object should ask Partitions once instead.
func (cfg *Config) PartitionOf(id string) string {
	for _, a := range cfg.Accounts {
		if a.ID == id {
			return a.Partition
		}
	}
	return "aws"
}

// Partitions returns a function with PartitionOf's answers that looks each
// up in a map made once: asked once per object of a stack of 1,000
// accounts, PartitionOf would compare 14 million IDs.
func (cfg *Config) Partitions() func(id string) string {
	byID := make(map[string]string, len(cfg.Accounts))
	for _, a := range cfg.Accounts {
		if _, seen := byID[a.ID]; !seen {
			byID[a.ID] = a.Partition
		}
	}
	return func(id string) string {
		if p, ok := byID[id]; ok {
			return p
		}
		return "aws"
	}
}
