package aws

import (
	"context"

	"github.com/trustform/trustform/engine/model"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/trustform/trustform/engine"
)

var _ engine.QuotaReader = (*Provider)(nil)

// Quotas reads the account's IAM quotas with iam:GetAccountSummary, after
// confirming the credentials act in the declared account. Callers ask only
// when a stack exceeds IAM's defaults (an account owner can have AWS raise
// them), so an ordinary plan makes no such call. A quota the summary does not
// report keeps its default.
func (p *Provider) Quotas(ctx context.Context, account *model.AccountConfig) (engine.Quotas, error) {
	q := engine.DefaultQuotas()
	s, err := p.session(ctx, account)
	if err != nil {
		return q, err
	}
	if err := p.checkIdentity(ctx, account, s); err != nil {
		return q, err
	}
	out, err := s.iam.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return q, &Error{Op: "iam:GetAccountSummary", Subject: "in account " + account.ID, Err: err}
	}
	for key, field := range map[string]*int{
		"AssumeRolePolicySizeQuota":    &q.TrustPolicySize,
		"PolicySizeQuota":              &q.ManagedPolicySize,
		"RolePolicySizeQuota":          &q.RoleInlineSize,
		"GroupPolicySizeQuota":         &q.GroupInlineSize,
		"UserPolicySizeQuota":          &q.UserInlineSize,
		"AttachedPoliciesPerRoleQuota": &q.AttachedPerRole,
	} {
		if v, ok := out.SummaryMap[key]; ok && v > 0 {
			*field = int(v)
		}
	}
	return q, nil
}
