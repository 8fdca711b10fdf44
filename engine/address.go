package engine

import (
	"strconv"
	"strings"

	"github.com/trustform/trustform/engine/model"
	"github.com/trustform/trustform/engine/ownership"
)

// Addresses. A change's address starts from the block that declares the
// object, or from the object's own identity when no block does:
//
//	role.update_app                                   a role, group, user or policy block
//	account.production.role["Old"]                    one no block declares
//	role.update_app.inline_policy["notes"]            an inline policy of a principal
//	grant.developers_update_app.to[group.developers]  a grant's or deny's inline policy on one principal
//	role.update_app.managed_policy[policy.rw]         an attachment of a policy the stack declares
//	role.update_app.managed_policy["arn:aws:iam::aws:policy/ReadOnlyAccess"]
//	user.david.membership[group.developers]           a membership (["Name"] for an undeclared group)
//	account.production.adoption_ledger["trustform.devprod.adopted"]
//
// A principal is named by its block when one declares it (existing = true
// included), so that a child keeps its address whether or not a block still
// declares the child itself. Names are IAM's (case as declared, or as read
// when no block declares the object) and every part is unique in its
// account, so no two changes of a plan share an address.

// namer derives change addresses from a stack's blocks.
type namer struct {
	accounts map[string]string    // account ID → account name
	blocks   map[model.Key]string // role, group, user and policy keys → block address
	arns     map[string]string    // managed policy ARN → its policy block
	grants   map[model.Key]string // a grant's inline policy → its grant address
}

func newNamer(cfg *model.Config) *namer {
	n := &namer{accounts: map[string]string{}, blocks: map[model.Key]string{}, arns: map[string]string{}, grants: map[model.Key]string{}}
	for _, a := range cfg.Accounts {
		n.accounts[a.ID] = a.Name
	}
	for _, g := range cfg.Groups {
		n.blocks[model.PrincipalKey(g.Account, model.KindGroup, g.Name)] = g.Address
	}
	for _, u := range cfg.Users {
		n.blocks[model.PrincipalKey(u.Account, model.KindUser, u.Name)] = u.Address
	}
	for _, r := range cfg.Roles {
		n.blocks[model.PrincipalKey(r.Account, model.KindRole, r.Name)] = r.Address
	}
	partitionOf := cfg.Partitions()
	for _, p := range cfg.Policies {
		n.blocks[model.PolicyKey(p.Account, p.Name)] = p.Address
		n.arns[model.PolicyARN(partitionOf(p.Account), p.Account, p.Path, p.Name)] = p.Address
	}
	for _, g := range cfg.Grants {
		for _, to := range g.To {
			target := n.blocks[model.PrincipalKey(to.Account, to.Kind, to.Name)]
			if target == "" {
				target = strconv.Quote(string(to.Kind) + "." + to.Name)
			}
			n.grants[model.InlineKey(to.Account, to.Kind, to.Name, ownership.InlineName(g, cfg.Stack.Name))] = g.Address + ".to[" + target + "]"
		}
	}
	return n
}

// address returns the address of a change Diff made.
func (n *namer) address(c *model.Change) string {
	o := c.After
	if o == nil {
		o = c.Before
	}
	acct := c.Account.ID
	switch v := o.(type) {
	case *model.Role:
		return n.object(acct, c.Key, model.KindRole, v.Name)
	case *model.Group:
		return n.object(acct, c.Key, model.KindGroup, v.Name)
	case *model.User:
		return n.object(acct, c.Key, model.KindUser, v.Name)
	case *model.ManagedPolicy:
		return n.object(acct, c.Key, model.KindPolicy, v.Name)
	case *model.InlinePolicy:
		if g, ok := n.grants[c.Key]; ok {
			return g
		}
		return n.principal(acct, v.PrincipalKind, v.PrincipalName) + ".inline_policy[" + strconv.Quote(v.Name) + "]"
	case *model.Attachment:
		ref, ok := n.arns[v.PolicyARN]
		if !ok {
			ref = strconv.Quote(v.PolicyARN)
		}
		return n.principal(acct, v.PrincipalKind, v.PrincipalName) + ".managed_policy[" + ref + "]"
	case *model.Membership:
		ref, ok := n.blocks[model.PrincipalKey(acct, model.KindGroup, v.Group)]
		if !ok {
			ref = strconv.Quote(v.Group)
		}
		return n.principal(acct, model.KindUser, v.User) + ".membership[" + ref + "]"
	}
	return n.account(acct) + "." + string(c.Kind) + "[" + strconv.Quote(c.Key.ID) + "]"
}

func (n *namer) principal(acct string, kind model.Kind, name string) string {
	return n.object(acct, model.PrincipalKey(acct, kind, name), kind, name)
}

func (n *namer) object(acct string, key model.Key, kind model.Kind, name string) string {
	if b, ok := n.blocks[key]; ok {
		return b
	}
	return n.account(acct) + "." + string(kind) + "[" + strconv.Quote(name) + "]"
}

func (n *namer) account(id string) string {
	if name, ok := n.accounts[id]; ok {
		return "account." + name
	}
	return "account[" + strconv.Quote(id) + "]"
}

// LedgerChangeAddress is the address of a change to one of the stack's
// ledger policies in an account.
func LedgerChangeAddress(ref model.AccountRef, policyName string) string {
	return "account." + ref.Name + "." + ownership.LedgerAddress + "[" + strconv.Quote(policyName) + "]"
}

// IsLedgerAddress reports whether a change address names an adoption
// ledger: a plan document carries addresses, not blocks. The bare
// LedgerAddress is what plans made before addresses were unique carry.
func IsLedgerAddress(address string) bool {
	return address == ownership.LedgerAddress || strings.HasPrefix(address, "account.") && strings.Contains(address, "."+ownership.LedgerAddress+"[")
}

// AccessRecordChangeAddress is the address of a change to one of the
// stack's access record policies in an account.
func AccessRecordChangeAddress(ref model.AccountRef, policyName string) string {
	return "account." + ref.Name + "." + ownership.AccessRecordAddress + "[" + strconv.Quote(policyName) + "]"
}

// IsAccessRecordAddress reports whether a change address names an access
// record.
func IsAccessRecordAddress(address string) bool {
	return strings.HasPrefix(address, "account.") && strings.Contains(address, "."+ownership.AccessRecordAddress+"[")
}
