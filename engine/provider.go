package engine

import (
	"context"

	"github.com/trustform/trustform/engine/model"
)

// Provider is a target that holds accounts: the embedded local simulation or
// AWS. It is deliberately small: the engine asks who it is talking to, reads
// an account whole, and applies one change at a time.
type Provider interface {
	// Describe names the target for plan headers, e.g.
	// "local simulation in examples/dev-prod/.trustform".
	Describe() string
	// Identity returns the account ID and the identity ARN that the provider
	// acts as in the given account.
	Identity(ctx context.Context, account *model.AccountConfig) (Identity, error)
	// Read returns everything in the account that a plan compares. A target
	// may leave out what the engine never compares on objects the stack does
	// not own (the aws target reads a role's description and maximum session
	// duration only for roles carrying the ownership tag, and no managed
	// policy tags). Ownership flags are left unset; MarkOwnership sets them
	// so every provider follows the same rules.
	Read(ctx context.Context, account *model.AccountConfig) (*model.Account, error)
	// Apply carries out one change, from its Before and After objects (Attrs
	// are for people). A delete of a role, group, user or policy
	// is only planned after its attachments, inline policies and memberships
	// are gone, so providers need not clean up on their own.
	Apply(ctx context.Context, account *model.AccountConfig, change *model.Change) error
}

// RoleDetailer is implemented by a provider whose Read leaves out a role's
// description and maximum session duration on roles no stack has tagged
// (the aws target: IAM's one-call account read lacks both). The engine asks
// for them for the roles a plan adopts, and import for the roles it writes,
// since both compare or copy those attributes.
type RoleDetailer interface {
	DetailRoles(ctx context.Context, account *model.AccountConfig, read *model.Account, names []string) error
}

// OrganizationReader is implemented by a provider that can read the AWS
// organisation a stack's accounts belong to, read-only: through account via
// (the management account or a delegated administrator for AWS
// Organizations), where each of the accounts sits and the SCPs and RCPs
// attached along each path. An account that is not in the organisation has
// no path. Missing permission is an error that names the call and the
// account.
type OrganizationReader interface {
	ReadOrganization(ctx context.Context, via *model.AccountConfig, accounts []string) (*model.Organization, error)
}

// Identity is who a provider acts as in an account.
type Identity struct {
	Account string
	ARN     string
}
