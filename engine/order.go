package engine

import (
	"cmp"
	"container/heap"
	"strings"

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
func Order(changes []*Change) []*Change {
	creates := map[Key]int{}
	deletes := map[Key]int{}
	records := map[Key]int{} // role and user updates of the record alone
	for i, c := range changes {
		switch c.Action {
		case Create:
			creates[c.Key] = i
		case Delete:
			deletes[c.Key] = i
		case Update:
			if (c.Kind == KindRole || c.Kind == KindUser) && onlyRecord(c.Attrs) {
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
		if c.Action == Create {
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
		if c.Block == LedgerAddress {
			for j, o := range changes {
				if o.Account.ID == c.Account.ID && (o.Kind == KindGroup || o.Kind == KindPolicy) && o.Block != LedgerAddress {
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
	out := make([]*Change, len(order))
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
	changes []*Change
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

// kindRank orders kinds the way a reader expects: principals and policies
// before what joins them when creating, the reverse when deleting.
var createRank = map[Kind]int{KindPolicy: 0, KindGroup: 1, KindUser: 2, KindRole: 3, KindMembership: 4, KindAttachment: 5, KindInline: 6}
var deleteRank = map[Kind]int{KindInline: 0, KindAttachment: 1, KindMembership: 2, KindRole: 3, KindUser: 4, KindGroup: 5, KindPolicy: 6}

func changeLess(a, b *Change) bool {
	if c := cmp.Compare(a.Account.Name, b.Account.Name); c != 0 {
		return c < 0
	}
	ad, bd := a.Action == Delete, b.Action == Delete
	if ad != bd {
		return !ad
	}
	ra, rb := createRank[a.Kind], createRank[b.Kind]
	if ad {
		ra, rb = deleteRank[a.Kind], deleteRank[b.Kind]
	}
	if ra != rb {
		return ra < rb
	}
	return a.Key.ID < b.Key.ID
}

// principalsOf lists the keys of the roles and users whose record covers a
// child change: an inline policy's or attachment's principal, a membership's
// user.
func principalsOf(c *Change) []Key {
	switch v := objectOf(c).(type) {
	case *InlinePolicy:
		return []Key{PrincipalKey(c.Account.ID, v.PrincipalKind, v.PrincipalName)}
	case *Attachment:
		return []Key{PrincipalKey(c.Account.ID, v.PrincipalKind, v.PrincipalName)}
	case *Membership:
		return []Key{PrincipalKey(c.Account.ID, KindUser, v.User)}
	}
	return nil
}

// refs lists the keys of the objects an object needs to exist. Children
// (inline policies, attachments, memberships) live in the change's account.
func refs(account string, o Object) []Key {
	switch v := o.(type) {
	case *Role:
		return arnKeys(v.TrustPolicy)
	case *InlinePolicy:
		return append(arnKeys(v.Document), PrincipalKey(account, v.PrincipalKind, v.PrincipalName))
	case *Attachment:
		out := []Key{PrincipalKey(account, v.PrincipalKind, v.PrincipalName)}
		if k, ok := ARNKey(v.PolicyARN); ok {
			out = append(out, k)
		}
		return out
	case *Membership:
		return []Key{PrincipalKey(account, KindUser, v.User), PrincipalKey(account, KindGroup, v.Group)}
	}
	return nil
}

// arnKeys returns the keys of the IAM principals and policies that a policy
// document names by ARN, in principals or resources.
func arnKeys(doc string) []Key {
	d, err := policy.Parse(doc)
	if err != nil {
		return nil
	}
	var out []Key
	for _, s := range d.Statements {
		for _, list := range [][]string{s.Principals["AWS"], s.NotPrincipals["AWS"], s.Resources} {
			for _, a := range list {
				if k, ok := ARNKey(a); ok {
					out = append(out, k)
				}
			}
		}
	}
	return out
}

// ARNKey returns the key of the role, user, group or customer-managed policy
// an IAM ARN names (an assumed-role session names its role).
func ARNKey(arn string) (Key, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[4] == "" || parts[4] == "aws" {
		return Key{}, false
	}
	acct, res := parts[4], parts[5]
	typ, rest, ok := strings.Cut(res, "/")
	if !ok {
		return Key{}, false
	}
	segs := strings.Split(rest, "/")
	name := segs[len(segs)-1]
	switch {
	case parts[2] == "iam" && typ == "role":
		return PrincipalKey(acct, KindRole, name), true
	case parts[2] == "iam" && typ == "user":
		return PrincipalKey(acct, KindUser, name), true
	case parts[2] == "iam" && typ == "group":
		return PrincipalKey(acct, KindGroup, name), true
	case parts[2] == "iam" && typ == "policy":
		return PolicyKey(acct, name), true
	case parts[2] == "sts" && typ == "assumed-role" && len(segs) >= 1:
		return PrincipalKey(acct, KindRole, segs[0]), true
	}
	return Key{}, false
}
