package access

import (
	"fmt"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/policy"
)

// kinds of requester.
const (
	kindUser    = "user"
	kindSession = "session" // arn:aws:sts::A:assumed-role/Role/session
	kindRole    = "role"    // a role ARN given as the requester: any session of it
)

// caller is the principal making a request, found in the state.
type caller struct {
	kind      string
	arn       string // canonical: the user's, the session's, or the role's ARN
	account   string
	partition string
	acct      *model.Account
	user      *model.User
	role      *model.Role
	roleARN   string // sessions and roles: the role's ARN, path included
	session   string // the session name, sessions only
}

// principal is the caller as a typed principal: a user or a role with its
// path, or a session.
func (c *caller) principal() model.Principal {
	switch c.kind {
	case kindUser:
		return model.Principal{Kind: model.PrincipalUser, Partition: c.partition, Account: c.account, Path: pathOf(c.user.Path), Name: c.user.Name}
	case kindSession:
		return model.Principal{Kind: model.PrincipalAssumedRole, Partition: c.partition, Account: c.account, Name: c.role.Name, Session: c.session}
	}
	return model.Principal{Kind: model.PrincipalRole, Partition: c.partition, Account: c.account, Path: pathOf(c.role.Path), Name: c.role.Name}
}

// label names the caller in reasons, e.g. user "David" in 111111111111, as
// plans name principals.
func (c *caller) label() string { return c.principal().Label() }

// identityLabel names whose identity-based policies apply.
func (c *caller) identityLabel() string {
	if c.kind == kindUser {
		return fmt.Sprintf("user %q in %s (its own and its groups')", c.user.Name, c.account)
	}
	return fmt.Sprintf("role %q in %s", c.role.Name, c.account)
}

// findCaller resolves a requester ARN in the state. Names are looked up as
// IAM does, without case; the path must be the entity's own, because an ARN
// with another path names nobody.
func (e *Evaluator) findCaller(arn string) (*caller, string) {
	a, err := model.ParseARN(arn)
	if err != nil {
		return nil, fmt.Sprintf("%q is not an ARN", arn)
	}
	acctID := a.Account
	acct := e.state.Accounts[acctID]
	if acct == nil {
		return nil, fmt.Sprintf("account %s of %s is not one of the accounts read, so its policies are unknown", acctID, arn)
	}
	if a.Partition != partitionOf(acct) {
		return nil, fmt.Sprintf("%s is in partition %q but account %s is in %q", arn, a.Partition, acctID, partitionOf(acct))
	}
	p, err := model.ParsePrincipal(arn)
	if err != nil {
		return nil, fmt.Sprintf("%s is not an IAM user, an IAM role or a role session", arn)
	}
	c := &caller{account: acctID, partition: a.Partition, acct: acct}
	switch p.Kind {
	case model.PrincipalUser:
		u := acct.Users[model.NameKey(p.Name)]
		if u == nil {
			return nil, fmt.Sprintf("there is no user %q in account %s", p.Name, acctID)
		}
		if pathOf(u.Path) != p.Path {
			return nil, fmt.Sprintf("user %q in %s has path %s, not %s", u.Name, acctID, pathOf(u.Path), p.Path)
		}
		c.kind, c.user = kindUser, u
		c.arn = model.UserARN(a.Partition, acctID, u.Path, u.Name)
	case model.PrincipalRole:
		r := acct.Roles[model.NameKey(p.Name)]
		if r == nil {
			return nil, fmt.Sprintf("there is no role %q in account %s", p.Name, acctID)
		}
		if pathOf(r.Path) != p.Path {
			return nil, fmt.Sprintf("role %q in %s has path %s, not %s", r.Name, acctID, pathOf(r.Path), p.Path)
		}
		c.kind, c.role = kindRole, r
		c.roleARN = model.RoleARN(a.Partition, acctID, r.Path, r.Name)
		c.arn = c.roleARN
	case model.PrincipalAssumedRole:
		r := acct.Roles[model.NameKey(p.Name)]
		if r == nil {
			return nil, fmt.Sprintf("%s is not a session of a role in account %s", arn, acctID)
		}
		c.kind, c.role, c.session = kindSession, r, p.Session
		c.roleARN = model.RoleARN(a.Partition, acctID, r.Path, r.Name)
		c.arn = model.SessionARN(a.Partition, acctID, r.Name, p.Session)
	case model.PrincipalRoot:
		return nil, fmt.Sprintf("%s is the account root user, which the evaluator does not model (it cannot assume roles, and in its own account nothing but SCPs limits it)", arn)
	default:
		return nil, fmt.Sprintf("%s is not an IAM user, an IAM role or a role session", arn)
	}
	return c, ""
}

func partitionOf(a *model.Account) string {
	if a.Partition == "" {
		return "aws"
	}
	return a.Partition
}

func pathOf(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// principalMatch is how a Principal element named the caller.
type principalMatch int

const (
	noMatch     principalMatch = iota
	viaAccount                 // the caller's account (root ARN or id): its IAM policies must also allow
	viaIdentity                // the caller itself, its role, or "*"
)

// rootARN is the account principal's ARN for the caller.
func (c *caller) rootARN() string { return model.RootARN(c.partition, c.account) }

// matchPrincipal reports how a statement's Principal element names the
// caller, and the value that named it. Service, Federated and CanonicalUser
// principals never name an IAM user or role; wildcards only work as the whole
// value "*" (AWS: no partial wildcards in principals). When several values
// name the caller, the closest wins: naming the caller itself is worth more
// than naming its account.
func (c *caller) matchPrincipal(p map[string][]string) (principalMatch, string) {
	if _, ok := p["*"]; ok {
		return viaIdentity, "*"
	}
	best, by := noMatch, ""
	for _, v := range p["AWS"] {
		if m := c.namedBy(v); m > best {
			best, by = m, v
		}
	}
	return best, by
}

// namedBy reports whether one AWS principal value names the caller: "*", its
// account (id or root ARN), its own ARN, its role's ARN (a role names its
// sessions), or its exact session ARN.
func (c *caller) namedBy(v string) principalMatch {
	switch {
	case v == "*":
		return viaIdentity
	case policy.IsAccountID(v) && v == c.account:
		return viaAccount
	case v == c.rootARN():
		return viaAccount
	case c.kind == kindUser && v == c.arn:
		return viaIdentity
	case (c.kind == kindSession || c.kind == kindRole) && v == c.roleARN:
		return viaIdentity
	case c.kind == kindSession && v == c.arn:
		return viaIdentity
	}
	return noMatch
}

// boundaryARN is the ARN of the caller's permissions boundary: the user's,
// or its role's for a role and its sessions; "" when it has none.
func (c *caller) boundaryARN() string {
	switch c.kind {
	case kindUser:
		return c.user.PermissionsBoundary
	case kindRole, kindSession:
		return c.role.PermissionsBoundary
	}
	return ""
}

// chain is every identity AWS may check for the caller, outermost first:
// the account, then the role (for sessions), then the caller itself.
func (c *caller) chain() []string {
	switch c.kind {
	case kindUser:
		return []string{c.rootARN(), c.arn}
	case kindSession:
		return []string{c.rootARN(), c.roleARN, c.arn}
	}
	return []string{c.rootARN(), c.roleARN}
}

// notPrincipalApplies reports whether a statement with NotPrincipal applies
// to the caller. AWS documents that it may check the account, then the role,
// then the session, so a Deny spares the caller only when NotPrincipal
// names every one of them; an Allow ("everyone except") is read the safe
// way round: naming any of them leaves the caller out.
//
// A Deny with NotPrincipal always applies to a caller with a permissions
// boundary, whatever NotPrincipal names: "Permissions boundaries for IAM
// entities" (IAM User Guide) says such a statement "will always deny any
// IAM principal that has a permissions boundary policy attached".
func (c *caller) notPrincipalApplies(np map[string][]string, effect string) bool {
	if effect == "Deny" && c.boundaryARN() != "" {
		return true
	}
	named := func(id string) bool {
		if _, ok := np["*"]; ok {
			return true
		}
		for _, v := range np["AWS"] {
			if v == "*" || v == id || (policy.IsAccountID(v) && id == model.RootARN(c.partition, v)) {
				return true
			}
		}
		return false
	}
	all, any := true, false
	for _, id := range c.chain() {
		if named(id) {
			any = true
		} else {
			all = false
		}
	}
	if effect == "Deny" {
		return !all
	}
	return !any
}
