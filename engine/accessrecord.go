package engine

import (
	"fmt"
	"maps"
	"slices"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
	"github.com/trustform/trustform/engine/policy"
)

// recordAccess keeps the stack's access record (see the access record in
// engine/ownership) for a plan of a stack that reads its organisation,
// whose SCPs and RCPs change outside any stack:
//
//   - it compares each account's record with who can assume the stack's
//     roles in the accounts as they are, and puts the differences in
//     plan.AccessOutside: access that changed since the last complete
//     apply without any change of the stack;
//   - it plans the record of who can assume them once the plan is applied,
//     rewritten only when that differs from the record (Apply writes it
//     last, and only when every other change completed).
//
// A stack without the organization block keeps no record (a record it kept
// before is deleted), and a destroy plan deletes it. The access diff of the
// plan itself (plan.Access) is unchanged by this.
//
// now and after evaluate the accounts as they are and as projected (the
// plan's changes before the record's).
func recordAccess(cfg *model.Config, plan *model.Plan, now, after *access.Evaluator, projected *model.State) error {
	stack := cfg.Stack.Name
	keep := cfg.Organization != nil && !plan.Destroy
	var changes []*model.Change
	for _, ac := range cfg.Managed() {
		have := plan.Actual.Accounts[ac.ID]
		if have == nil {
			continue
		}
		ref := model.AccountRef{Name: ac.Name, ID: ac.ID, Partition: ac.Partition}
		want := map[string]*model.ManagedPolicy{}
		if keep {
			if recorded, found := ownership.RecordedAccess(have, stack); found {
				plan.AccessOutside = append(plan.AccessOutside, now.ChangesSinceRecord(recorded)...)
			}
			var roles []string
			if a := projected.Accounts[ac.ID]; a != nil {
				for _, r := range a.Roles {
					if r.Owned {
						roles = append(roles, model.RoleARN(a.Partition, a.ID, r.Path, r.Name))
					}
				}
			}
			slices.Sort(roles)
			for _, p := range ownership.AccessRecords(stack, after.Recorded(roles)) {
				want[model.NameKey(p.Name)] = p
			}
		}
		for _, k := range slices.Sorted(maps.Keys(want)) {
			w, h := want[k], have.Policies[k]
			key := model.PolicyKey(ref.ID, w.Name)
			c := &model.Change{Kind: model.KindPolicy, Account: ref, Key: key, Block: ownership.AccessRecordAddress, Address: AccessRecordChangeAddress(ref, w.Name)}
			switch {
			case h == nil:
				c.Action, c.After, c.Attrs = model.Create, w, policyAttrs(nil, w)
			case !h.Owned:
				return fmt.Errorf("managed policy %q in account %s is not the stack's, but the stack needs the name for its record of who can assume its roles: rename or delete that policy", h.Name, acctLabel(ref))
			case !policy.Equivalent(h.Document, w.Document):
				after := w.Clone()
				after.Description = h.Description
				c.Action, c.Before, c.After, c.Attrs = model.Update, h, after, policyAttrs(h, after)
			default:
				continue
			}
			changes = append(changes, c)
		}
		for _, k := range slices.Sorted(maps.Keys(have.Policies)) {
			h := have.Policies[k]
			if h.Owned && ownership.IsAccessRecord(stack, h.Name) && want[k] == nil {
				changes = append(changes, &model.Change{Action: model.Delete, Kind: model.KindPolicy, Account: ref, Key: model.PolicyKey(ref.ID, h.Name), Block: ownership.AccessRecordAddress, Address: AccessRecordChangeAddress(ref, h.Name), Before: h, Attrs: policyAttrs(h, nil)})
			}
		}
	}
	// The records come last, as Apply writes them (after every other
	// change has completed); nothing depends on them, so the plan's order
	// and dependencies are otherwise unchanged.
	plan.Changes = append(plan.Changes, changes...)
	return nil
}
