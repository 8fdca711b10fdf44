package views

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"

	"github.com/trustform/trustform/engine/access"
	"github.com/trustform/trustform/engine/policy"
)

// What a role's trust policy asks of the callers it names, read from the
// configuration alone. The access kit and the graph both need it; neither
// evaluates policies (the access evaluator does that, over real accounts):
// they only say what a caller must bring.

// trustStatement is one Allow statement of a trust policy that lets its
// principals call sts:AssumeRole.
type trustStatement struct {
	principals  []trustedPrincipal
	mfa         bool     // Bool aws:MultiFactorAuthPresent "true", or a Deny without MFA
	externalIDs []string // StringEquals sts:ExternalId values, sorted
	// other is true when the statement tests keys besides the two above: the
	// kit cannot say what to pass for them, so it says that there are some.
	other bool
	// conditions say every test of the statement, operator and values as
	// written, and every conditional Deny on sts:AssumeRole that applies to
	// its principals, in the words of who-can (access.ConditionWords and
	// access.DenyWords).
	conditions []string
}

// trustedPrincipal is one principal value as the trust policy writes it.
type trustedPrincipal struct {
	Type  string // AWS, Service, Federated, CanonicalUser, or "*" for "Principal": "*"
	Value string
}

// readTrust returns the statements of a trust policy through which a caller
// can assume the role, sorted as written, each with the principals it lets
// in (policy.ReadTrust: a principal is let in by a statement that allows
// the action it calls, sts:AssumeRole for AWS principals and services, the
// federated actions for identity providers). A Deny statement on
// sts:AssumeRole whose only condition is that MFA is absent (the pattern
// AWS documents as "deny unless MFA") makes every statement require MFA.
func readTrust(doc string) ([]trustStatement, error) {
	d, err := policy.Parse(doc)
	if err != nil {
		return nil, fmt.Errorf("trust policy: %w", err)
	}
	var out []trustStatement
	var denies []policy.Statement
	denyWithoutMFA := false
	for _, s := range policy.ReadTrust(d) {
		if s.Effect == "Deny" {
			if s.CoversAction(policy.ActionAssumeRole) {
				denyWithoutMFA = denyWithoutMFA || deniesWithoutMFA(s.Statement)
				denies = append(denies, s.Statement)
			}
			continue
		}
		// NotPrincipal with Allow is refused by IAM; nothing to read.
		ts := trustStatement{mfa: s.MFA, externalIDs: s.ExternalIDs, other: s.OtherConditions, conditions: access.ConditionWords(s.Conditions)}
		for _, tp := range s.Trusted {
			if s.Admits(tp) {
				ts.principals = append(ts.principals, trustedPrincipal{Type: tp.Type, Value: tp.Value})
			}
		}
		if len(ts.principals) > 0 {
			out = append(out, ts)
		}
	}
	for i := range out {
		for _, dn := range denies {
			if w := access.DenyWords(dn.Conditions); w != "" && denyReaches(dn, out[i].principals) && !slices.Contains(out[i].conditions, w) {
				out[i].conditions = append(out[i].conditions, w)
			}
		}
	}
	if denyWithoutMFA {
		for i := range out {
			out[i].mfa = true
		}
	}
	return out, nil
}

// denyReaches reports whether a trust Deny may apply to the principals of a
// statement: it names everyone ("*"), one of them as written, or uses
// NotPrincipal (read from the configuration, it cannot be told).
func denyReaches(dn policy.Statement, principals []trustedPrincipal) bool {
	if dn.Principals == nil {
		return true
	}
	if _, ok := dn.Principals["*"]; ok {
		return true
	}
	for typ, vals := range dn.Principals {
		for _, v := range vals {
			if v == "*" && typ == "AWS" {
				return true
			}
			if slices.Contains(principals, trustedPrincipal{Type: typ, Value: v}) {
				return true
			}
		}
	}
	return false
}

// deniesWithoutMFA recognises {"Effect": "Deny", "Condition": {"BoolIfExists"
// (or "Bool"): {"aws:MultiFactorAuthPresent": "false"}}}.
func deniesWithoutMFA(s policy.Statement) bool {
	if len(s.Conditions) != 1 {
		return false
	}
	for op, keys := range s.Conditions {
		if (op != "Bool" && op != "BoolIfExists") || len(keys) != 1 {
			return false
		}
		for key, vals := range keys {
			return strings.EqualFold(key, "aws:MultiFactorAuthPresent") && containsFold(vals, "false")
		}
	}
	return false
}

func containsFold(list []string, want string) bool {
	return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, want) })
}

// principalInfo is a trusted principal as the views show it.
type principalInfo struct {
	kind      string // account, user, role, session, service, federated, anyone, other
	account   string // the account id, when the value names one
	partition string // the ARN's, "aws" when the value is no ARN or names no account
	path      string // users and roles
	name      string // users and roles: the name; sessions: role/session; services: the host
	value     string // as written
}

// classify reads a trusted principal (policy.ReadPrincipal): "*", a bare
// account id or a root ARN (the account), a user or role ARN (path
// included), a role session ARN, a service or a federated provider.
// Anything else (a unique id IAM wrote for a deleted principal, a federated
// user) is "other", in its account when it is an ARN that names one.
func classify(tp trustedPrincipal) principalInfo {
	info := principalInfo{kind: "other", value: tp.Value, partition: "aws"}
	p, ok := policy.ReadPrincipal(tp.Type, tp.Value)
	if !ok {
		if a, _ := model.ParseARN(tp.Value); policy.IsAccountID(a.Account) {
			info.account, info.partition = a.Account, a.Partition
		}
		return info
	}
	if tp.Type == "AWS" && p.Partition != "" {
		info.partition = p.Partition
	}
	switch p.Kind {
	case model.PrincipalAnyone:
		info.kind = "anyone"
	case model.PrincipalService:
		info.kind, info.name = "service", tp.Value
	case model.PrincipalOIDCProvider, model.PrincipalSAMLProvider, model.PrincipalWebIdentity:
		info.kind, info.name = "federated", tp.Value
	case model.PrincipalRoot:
		info.kind, info.account = "account", p.Account
	case model.PrincipalUser, model.PrincipalRole:
		info.kind, info.account, info.path, info.name = string(p.Kind), p.Account, p.Path, p.Name
	case model.PrincipalAssumedRole:
		info.kind, info.account, info.name = "session", p.Account, p.Name+"/"+p.Session
	default:
		info.account = p.Account
	}
	return info
}

// stackIndex answers the questions the views ask of a configuration: which
// account an id is, and which declared block a principal is.
type stackIndex struct {
	cfg      *model.Config
	accounts map[string]*model.AccountConfig
}

func newStackIndex(cfg *model.Config) *stackIndex {
	x := &stackIndex{cfg: cfg, accounts: map[string]*model.AccountConfig{}}
	for _, a := range cfg.Accounts {
		x.accounts[a.ID] = a
	}
	return x
}

func (x *stackIndex) partition(id string) string {
	if a := x.accounts[id]; a != nil && a.Partition != "" {
		return a.Partition
	}
	return "aws"
}

// accountLabel is "development (111111111111)", or the id and a note when
// the stack does not declare the account.
func (x *stackIndex) accountLabel(id string) string {
	if a := x.accounts[id]; a != nil {
		return a.Name + " (" + id + ")"
	}
	return id + " (not declared in the stack)"
}

func (x *stackIndex) role(account, name string) *model.RoleConfig {
	for _, r := range x.cfg.Roles {
		if r.Account == account && strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

func (x *stackIndex) user(account, name string) *model.UserConfig {
	for _, u := range x.cfg.Users {
		if u.Account == account && strings.EqualFold(u.Name, name) {
			return u
		}
	}
	return nil
}

// describe names a trusted principal for people: "account development
// (111111111111)", "role CI in tooling (222222222222)", "service
// ec2.amazonaws.com", "anyone (*)".
func (x *stackIndex) describe(p principalInfo) string {
	switch p.kind {
	case "anyone":
		return "anyone (*)"
	case "service":
		return "service " + p.name
	case "federated":
		return "federated " + p.name
	case "account":
		return "account " + x.accountLabel(p.account)
	case "user", "role":
		return p.kind + " " + pathName(p.path, p.name) + " in " + x.accountLabel(p.account)
	case "session":
		return "session " + p.name + " in " + x.accountLabel(p.account)
	}
	return p.value
}

// pathName writes a role or user name with its path, without the leading
// slash: "UpdateApp", "platform/Deploy".
func pathName(p, name string) string {
	return strings.TrimPrefix(p, "/") + name
}

func roleARN(x *stackIndex, r *model.RoleConfig) string {
	return model.RoleARN(x.partition(r.Account), r.Account, r.Path, r.Name)
}
