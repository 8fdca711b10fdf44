package ownership

import (
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/policy"
)

// The access record. Who can assume a role depends on more than the stack's
// objects: an organisation's SCPs and RCPs, policies of principals the stack
// does not own. When one of those changes, the accounts as they are and as
// the plan will leave them agree, so the plan's access diff is empty, and
// the change would go unseen. The stack therefore records, when it applies,
// who could assume each of its roles: one managed policy of its own per
// account (more past IAM's size limit), like the adoption ledger, which the
// account read returns with every other policy at no extra call. The next
// plan compares the accounts as they are with the record and shows the
// difference as access the stack did not change.
//
// Each entry is a statement that denies an action no AWS service has, under
// conditions whose keys no request carries (IAM accepts condition keys of
// any prefix and never matches unknown ones): the record grants and denies
// nothing even if someone attaches it.

// RecordAction is the action of the access record's statements.
const RecordAction = "trustform:RecordedAssumer"

// The condition keys that carry an entry.
const (
	recordRoleKey       = "trustform:Role"
	recordPrincipalKey  = "trustform:Principal"
	recordConditionsKey = "trustform:Conditions"
)

// AccessRecordAddress stands in for a block address in plans: no block
// declares the record.
const AccessRecordAddress = "access_record"

// AccessRecordName is the name of the stack's n-th access record policy
// (from 0).
func AccessRecordName(stack string, n int) string {
	return numberedName("trustform."+stack+".access", n)
}

// IsAccessRecord reports whether a managed policy name is one of the
// stack's access records.
func IsAccessRecord(stack, name string) bool {
	return isNumberedName(AccessRecordName(stack, 0), name)
}

// AccessRecordDescription is the description of a stack's access records.
func AccessRecordDescription(stack string) string {
	return PolicyDescription("Who could assume the roles of trustform stack "+stack+" at its last apply; trustform keeps this record, do not edit it.", stack)
}

// recordStatement is one entry's statement. An entry without a principal
// records a role that nobody could assume: the role is covered by the
// record, and a principal that can assume it now gained that.
func recordStatement(e model.RecordedAssumer) policy.Statement {
	keys := map[string][]string{recordRoleKey: {e.Role}}
	if e.Principal != "" {
		keys[recordPrincipalKey] = []string{e.Principal}
	}
	if len(e.Conditions) > 0 {
		keys[recordConditionsKey] = e.Conditions
	}
	return policy.Statement{Effect: "Deny", Actions: []string{RecordAction}, Resources: []string{"*"},
		Conditions: map[string]map[string][]string{"StringEquals": keys}}
}

// AccessRecordDocument renders one access record's document.
func AccessRecordDocument(entries []model.RecordedAssumer) string {
	d := policy.Document{Version: policy.Version}
	for _, e := range entries {
		d.Statements = append(d.Statements, recordStatement(e))
	}
	return d.JSON()
}

// AccessRecordEntries returns the entries an access record document holds;
// a document that is not one holds none.
func AccessRecordEntries(doc string) []model.RecordedAssumer {
	d, err := policy.Parse(doc)
	if err != nil {
		return nil
	}
	var out []model.RecordedAssumer
	for _, s := range d.Statements {
		if s.Effect != "Deny" || len(s.Actions) != 1 || s.Actions[0] != RecordAction {
			continue
		}
		keys := s.Conditions["StringEquals"]
		role, principal := keys[recordRoleKey], keys[recordPrincipalKey]
		if len(role) != 1 || len(principal) > 1 {
			continue
		}
		e := model.RecordedAssumer{Role: role[0]}
		if len(principal) == 1 {
			e.Principal = principal[0]
			e.Conditions = slices.Sorted(slices.Values(keys[recordConditionsKey]))
		}
		out = append(out, e)
	}
	return out
}

// AccessRecords packs the entries of one account into the stack's access
// record policies: the fewest documents under IAM's size limit, filled in
// role and principal order so that one new assumer changes as few records
// as possible. None for no entries.
func AccessRecords(stack string, entries []model.RecordedAssumer) []*model.ManagedPolicy {
	sorted := slices.Clone(entries)
	slices.SortFunc(sorted, func(a, b model.RecordedAssumer) int {
		if c := strings.Compare(a.Role, b.Role); c != 0 {
			return c
		}
		return strings.Compare(a.Principal, b.Principal)
	})
	var out []*model.ManagedPolicy
	size := func(e model.RecordedAssumer) int {
		return len(policy.Document{Statements: []policy.Statement{recordStatement(e)}}.JSON()) + 1
	}
	for _, batch := range pack(sorted, size, ledgerBudget-100) {
		out = append(out, &model.ManagedPolicy{
			Name: AccessRecordName(stack, len(out)), Path: OwnedGroupPath(stack), Description: AccessRecordDescription(stack),
			Document: AccessRecordDocument(batch), Owned: true,
		})
	}
	return out
}

// RecordedAccess returns the entries of the stack's access records in an
// account, and whether the account has any record at all.
func RecordedAccess(a *model.Account, stack string) (entries []model.RecordedAssumer, found bool) {
	for _, p := range a.Policies {
		if p.Owned && IsAccessRecord(stack, p.Name) {
			found = true
			entries = append(entries, AccessRecordEntries(p.Document)...)
		}
	}
	return entries, found
}
