package access

import (
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/policy"
)

// Recorded returns who can assume each of the given roles (ARNs) as the
// entries of an access record (see ownership's access record): every
// assumer WhoCanAssume lists, outsiders included (an RCP decides about
// them too), with its conditions; a role nobody can assume gets one entry
// without a principal, so that the record still covers it. Roles not in
// the state are left out.
func (e *Evaluator) Recorded(roleARNs []string) []model.RecordedAssumer {
	var out []model.RecordedAssumer
	for _, arn := range roleARNs {
		if r, _, _ := e.findRole(arn); r == nil {
			continue
		}
		list := e.WhoCanAssume(arn)
		if len(list) == 0 {
			out = append(out, model.RecordedAssumer{Role: arn})
		}
		for _, x := range list {
			out = append(out, model.RecordedAssumer{Role: arn, Principal: x.Principal, Conditions: sortedConditions(x)})
		}
	}
	return out
}

// ChangesSinceRecord compares an access record with who can assume the
// roles it covers now, and returns the differences as access changes
// (before: the record; after: now), sorted by role, then principal. Roles
// the record does not cover, or the state no longer holds, are not
// compared: a role the plan creates has no past, and a role deleted since
// is a change the plan shows by itself.
func (e *Evaluator) ChangesSinceRecord(record []model.RecordedAssumer) []model.AccessChange {
	was, now := abilities{}, abilities{}
	roles := map[string]model.Principal{}
	for _, entry := range record {
		role, ok := roles[entry.Role]
		if !ok {
			r, a, _ := e.findRole(entry.Role)
			if r == nil {
				continue
			}
			role = rolePrincipal(a, r)
			roles[entry.Role] = role
		}
		if entry.Principal != "" {
			was[role.ARN()+"\x00"+entry.Principal] = held{role, policy.ReadPrincipalValue(entry.Principal), entry.Conditions}
		}
	}
	for _, role := range roles {
		for _, x := range e.WhoCanAssume(role.ARN()) {
			now.add(role, x)
		}
	}
	return changed(was, now)
}
