package engine

import (
	"context"

	"github.com/trustform/trustform/engine/model"
)

// Quotas are the IAM quotas a plan must fit in one account. IAM's defaults
// hold everywhere; an account whose owner asked AWS for more reports its own
// values through GetAccountSummary, and those take precedence.
type Quotas struct {
	TrustPolicySize   int // AssumeRolePolicySizeQuota (ACLSizePerRole): characters without whitespace
	ManagedPolicySize int // PolicySizeQuota
	RoleInlineSize    int // RolePolicySizeQuota: all inline policies of a role together
	GroupInlineSize   int // GroupPolicySizeQuota
	UserInlineSize    int // UserPolicySizeQuota
	AttachedPerRole   int // AttachedPoliciesPerRoleQuota
}

// DefaultQuotas are IAM's default quotas, which the local target enforces.
func DefaultQuotas() Quotas {
	return Quotas{
		TrustPolicySize:   2048,
		ManagedPolicySize: 6144,
		RoleInlineSize:    10240,
		GroupInlineSize:   5120,
		UserInlineSize:    2048,
		AttachedPerRole:   10,
	}
}

// QuotaReader is implemented by targets that can read an account's real
// quotas (the aws target, through iam:GetAccountSummary).
type QuotaReader interface {
	Quotas(ctx context.Context, account *model.AccountConfig) (Quotas, error)
}
