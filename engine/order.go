package engine

import (
	"cmp"
	"container/heap"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"

	"github.com/trustform/trustform/engine/policy"
)

// Order sorts changes into an order IAM accepts and fills in DependsOn:
//
//   - a change that needs an object (a trust policy naming a principal, an
//     attachment's policy, a grant's role, a membership's group) runs after
//     that object's create;
//   - a change that stops needing an object (a child removed, a trust policy
//     no longer naming it) runs before that object's delete;
//   - a delete of an object runs before a create of the same object;
//   - the ledger of adopted objects is written after every change to the
//     account's groups and managed policies, so that it never records an
//     object the stack has not yet taken over or still has to delete;
//   - an update of a role or user that changes nothing but the record of
//     what the stack applied to it (AppliedTagKey) runs after the changes
//     of its inline policies, attachments and memberships: a run cut short
//     then leaves an old record, which the next plan rewrites, never one
//     that claims a child the stack did not apply. An update that also
//     changes the principal itself (its trust policy, say) does not wait:
//     a child that fails must not hold back a change that narrows who can
//     assume a role. Its record then claims the children the plan applies,
//     so a child that fails is mislabelled by the next plan (the change it
//     plans is still the right one). (A create cannot wait for its
//     children either; see the design notes on what a first apply cut
//     short shows.)
//
// Among changes free to run, the order is stable: by account, then creates
// and updates before deletes, then by kind and name, so that equal inputs
// always print the same plan.
func Order(changes []*model.Change) []*model.Change {
	creates := map[model.Key]int{}
	deletes := map[model.Key]int{}
	records := map[model.Key]int{} // role and user updates of the record alone
	for i, c := range changes {
		switch c.Action {
		case model.Create:
			creates[c.Key] = i
		case model.Delete:
			deletes[c.Key] = i
		case model.Update:
			if (c.Kind == model.KindRole || c.Kind == model.KindUser) && ownership.OnlyRecord(c.Attrs) {
				records[c.Key] = i
			}
		}
	}
	after := make([][]int, len(changes)) // after[i]: changes that must wait for i
	indeg := make([]int, len(changes))
	edge := func(from, to int) {
		if from == to {
			return
		}
		after[from] = append(after[from], to)
		indeg[to]++
	}
	for i, c := range changes {
		if c.After != nil {
			for _, k := range refs(c.Account.ID, c.After) {
				if j, ok := creates[k]; ok {
					edge(j, i)
				}
			}
		}
		if c.Before != nil {
			for _, k := range refs(c.Account.ID, c.Before) {
				if j, ok := deletes[k]; ok {
					edge(i, j)
				}
			}
		}
		if c.Action == model.Create {
			if j, ok := deletes[c.Key]; ok {
				edge(j, i)
			}
		}
		if len(records) > 0 {
			for _, k := range principalsOf(c) {
				if j, ok := records[k]; ok {
					edge(i, j)
				}
			}
		}
		if c.Block == ownership.LedgerAddress {
			for j, o := range changes {
				if o.Account.ID == c.Account.ID && (o.Kind == model.KindGroup || o.Kind == model.KindPolicy) && o.Block != ownership.LedgerAddress {
					edge(j, i)
				}
			}
		}
	}
	h := &changeHeap{changes: changes}
	for i := range changes {
		if indeg[i] == 0 {
			heap.Push(h, i)
		}
	}
	pos := make([]int, len(changes))
	order := make([]int, 0, len(changes))
	for h.Len() > 0 {
		i := heap.Pop(h).(int)
		pos[i] = len(order)
		order = append(order, i)
		for _, j := range after[i] {
			indeg[j]--
			if indeg[j] == 0 {
				heap.Push(h, j)
			}
		}
	}
	if len(order) != len(changes) {
		// A cycle cannot arise from the rules above (creates only wait for
		// creates, deletes only for updates and deletes), but keep every
		// change rather than lose one if it ever did.
		for i := range changes {
			if indeg[i] > 0 {
				pos[i] = len(order)
				order = append(order, i)
			}
		}
	}
	out := make([]*model.Change, len(order))
	for n, i := range order {
		out[n] = changes[i]
		out[n].DependsOn = nil
	}
	for i := range changes {
		for _, j := range after[i] {
			out[pos[j]].DependsOn = append(out[pos[j]].DependsOn, pos[i])
		}
	}
	return out
}

type changeHeap struct {
	changes []*model.Change
	items   []int
}

func (h *changeHeap) Len() int { return len(h.items) }
func (h *changeHeap) Less(a, b int) bool {
	return changeLess(h.changes[h.items[a]], h.changes[h.items[b]])
}
func (h *changeHeap) Swap(a, b int) { h.items[a], h.items[b] = h.items[b], h.items[a] }
func (h *changeHeap) Push(x any)    { h.items = append(h.items, x.(int)) }
func (h *changeHeap) Pop() any {
	n := len(h.items) - 1
	x := h.items[n]
	h.items = h.items[:n]
	return x
}

// createRank and deleteRank order kinds the way a reader expects (see
// model.KindSpec).
func createRank(k model.Kind) int { s, _ := model.Spec(k); return s.CreateRank }
func deleteRank(k model.Kind) int { s, _ := model.Spec(k); return s.DeleteRank }

func changeLess(a, b *model.Change) bool {
	if c := cmp.Compare(a.Account.Name, b.Account.Name); c != 0 {
		return c < 0
	}
	ad, bd := a.Action == model.Delete, b.Action == model.Delete
	if ad != bd {
		return !ad
	}
	ra, rb := createRank(a.Kind), createRank(b.Kind)
	if ad {
		ra, rb = deleteRank(a.Kind), deleteRank(b.Kind)
	}
	if ra != rb {
		return ra < rb
	}
	return a.Key.ID < b.Key.ID
}

// principalsOf lists the keys of the roles and users whose record covers a
// child change: an inline policy's or attachment's principal, a membership's
// user.
func principalsOf(c *model.Change) []model.Key {
	switch v := objectOf(c).(type) {
	case *model.InlinePolicy:
		return []model.Key{model.PrincipalKey(c.Account.ID, v.PrincipalKind, v.PrincipalName)}
	case *model.Attachment:
		return []model.Key{model.PrincipalKey(c.Account.ID, v.PrincipalKind, v.PrincipalName)}
	case *model.Membership:
		return []model.Key{model.PrincipalKey(c.Account.ID, model.KindUser, v.User)}
	}
	return nil
}

// refs lists the keys of the objects an object needs to exist. Children
// (inline policies, attachments, memberships) live in the change's account.
func refs(account string, o model.Object) []model.Key {
	if ops, ok := opsOf(o); ok {
		return ops.refs(account, o)
	}
	return nil
}

// arnKeys returns the keys of the IAM principals and policies that a policy
// document names by ARN, in principals or resources.
// boundaryKeys is the key of a permissions boundary's policy, when the stack
// could hold it (an AWS managed policy has no key).
func boundaryKeys(arn string) []model.Key {
	if k, ok := model.ARNKey(arn); ok && arn != "" {
		return []model.Key{k}
	}
	return nil
}

func arnKeys(doc string) []model.Key {
	d, err := policy.Parse(doc)
	if err != nil {
		return nil
	}
	var out []model.Key
	for _, s := range d.Statements {
		for _, list := range [][]string{s.Principals["AWS"], s.NotPrincipals["AWS"], s.Resources} {
			for _, a := range list {
				if k, ok := model.ARNKey(a); ok {
					out = append(out, k)
				}
			}
		}
	}
	return out
}
