package model

import (
	"fmt"
	"strings"
)

// ARN is an Amazon Resource Name taken apart. Its form is
//
//	arn:partition:service:region:account-id:resource
//
// where the resource is resource-id, resource-type/resource-id or
// resource-type:resource-id and may itself hold colons and slashes. Some ARNs
// leave the region, the account or both empty: IAM and STS ARNs have no
// region, S3 bucket ARNs neither region nor account.
// AWS General Reference, "Amazon Resource Names (ARNs)":
// https://docs.aws.amazon.com/general/latest/gr/aws-arns-and-namespaces.html
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits s into the six fields of an ARN. It checks the form only
// ("arn", then five colons; the sixth field keeps any further colons), not
// the values, because policies hold ARN patterns as well as ARNs:
// "arn:aws:iam::*:role/deploy/*" parses, its fields being patterns. Callers
// that need a 12-digit account or no wildcards check the fields.
func ParseARN(s string) (ARN, error) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return ARN{}, fmt.Errorf("%q is not an ARN (arn:partition:service:region:account-id:resource)", s)
	}
	return ARN{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}, nil
}

// String is the ARN as AWS writes it; ParseARN(s) then String() gives s.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// IAMPath reads an IAM resource "typ/path/name" (user/eng/David) into the
// IAM path ("/eng/", "/" when none) and the friendly name. ok is false when
// the resource is not of that type or names nothing after it.
// IAM User Guide, "IAM identifiers", section "IAM ARNs":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
func IAMPath(resource, typ string) (path, name string, ok bool) {
	rest, found := strings.CutPrefix(resource, typ+"/")
	if !found || rest == "" {
		return "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	return "/" + rest[:i+1], rest[i+1:], true
}

// PrincipalKind is what a principal is: one of the identities IAM names by
// ARN, or one that a policy names some other way (a service's host, "*").
type PrincipalKind string

const (
	PrincipalRoot          PrincipalKind = "root" // the account: arn:…:iam::A:root, or A alone in a policy
	PrincipalUser          PrincipalKind = "user"
	PrincipalRole          PrincipalKind = "role"
	PrincipalGroup         PrincipalKind = "group" // never a principal in a policy, but named like a user
	PrincipalAssumedRole   PrincipalKind = "assumed-role"
	PrincipalFederatedUser PrincipalKind = "federated-user"
	PrincipalOIDCProvider  PrincipalKind = "oidc-provider"
	PrincipalSAMLProvider  PrincipalKind = "saml-provider"
	PrincipalService       PrincipalKind = "service"      // ec2.amazonaws.com
	PrincipalWebIdentity   PrincipalKind = "web-identity" // a federated provider named by host: accounts.google.com
	PrincipalAnyone        PrincipalKind = "anyone"       // Principal "*"
)

// Principal is an IAM identity taken apart. Name is the friendly name of a
// user, role or group, the role's name for a session, the federated user's
// name, the provider's URL or name, or the host of a service or web identity
// provider. Path is set for users, roles and groups; Session for sessions.
type Principal struct {
	Kind      PrincipalKind
	Partition string // "aws" when empty
	Account   string
	Path      string
	Name      string
	Session   string
}

// ParsePrincipal reads the ARN of an IAM identity: an account root, a user,
// role or group (with its path), a role session
// (arn:aws:sts::A:assumed-role/Role/session), a federated user, or an OIDC or
// SAML provider. Like ParseARN it checks the form, not the values: wildcards
// and accounts that are not 12 digits pass.
// IAM User Guide, "IAM identifiers":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
func ParsePrincipal(arn string) (Principal, error) {
	a, err := ParseARN(arn)
	if err != nil {
		return Principal{}, err
	}
	if a.Partition == "" || a.Region != "" || a.Account == "" {
		return Principal{}, fmt.Errorf("%s is not the ARN of an IAM identity: those have a partition, an account and no region", arn)
	}
	p := Principal{Partition: a.Partition, Account: a.Account}
	ok := false
	switch a.Service {
	case "iam":
		ok = p.readIAM(a.Resource)
	case "sts":
		ok = p.readSTS(a.Resource)
	}
	if !ok {
		return Principal{}, fmt.Errorf("%s is not the ARN of an account root, a user, role, group, role session, federated user or identity provider", arn)
	}
	return p, nil
}

// readIAM reads the resource of an iam ARN into p.
func (p *Principal) readIAM(res string) bool {
	if res == "root" {
		p.Kind = PrincipalRoot
		return true
	}
	typ, rest, _ := strings.Cut(res, "/")
	switch PrincipalKind(typ) {
	case PrincipalUser, PrincipalRole, PrincipalGroup:
		path, name, ok := IAMPath(res, typ)
		p.Kind, p.Path, p.Name = PrincipalKind(typ), path, name
		return ok && name != ""
	case PrincipalOIDCProvider, PrincipalSAMLProvider:
		// An OIDC provider is named by its URL, which may hold slashes
		// (oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE): no path to split.
		p.Kind, p.Name = PrincipalKind(typ), rest
		return rest != ""
	}
	return false
}

// readSTS reads the resource of an sts ARN into p. Session ARNs carry the
// role's name without its path.
func (p *Principal) readSTS(res string) bool {
	typ, rest, _ := strings.Cut(res, "/")
	switch PrincipalKind(typ) {
	case PrincipalAssumedRole:
		role, session, ok := strings.Cut(rest, "/")
		p.Kind, p.Name, p.Session = PrincipalAssumedRole, role, session
		return ok && role != "" && session != ""
	case PrincipalFederatedUser:
		p.Kind, p.Name = PrincipalFederatedUser, rest
		return rest != ""
	}
	return false
}

// ARN is the principal's ARN, "" for those a policy names otherwise
// (services, web identity providers, "*"). Paths are written in full, so
// for a parsed ARN it gives the text parsed.
func (p Principal) ARN() string {
	part := PartitionOr(p.Partition)
	switch p.Kind {
	case PrincipalRoot:
		return RootARN(part, p.Account)
	case PrincipalUser:
		return UserARN(part, p.Account, p.Path, p.Name)
	case PrincipalRole:
		return RoleARN(part, p.Account, p.Path, p.Name)
	case PrincipalGroup:
		return GroupARN(part, p.Account, p.Path, p.Name)
	case PrincipalAssumedRole:
		return SessionARN(part, p.Account, p.Name, p.Session)
	case PrincipalFederatedUser:
		return "arn:" + part + ":sts::" + p.Account + ":federated-user/" + p.Name
	case PrincipalOIDCProvider, PrincipalSAMLProvider:
		return "arn:" + part + ":iam::" + p.Account + ":" + string(p.Kind) + "/" + p.Name
	}
	return ""
}

// String is the principal as a policy writes it: its ARN, a service's or
// provider's host, or "*".
func (p Principal) String() string {
	switch p.Kind {
	case PrincipalAnyone:
		return "*"
	case PrincipalService, PrincipalWebIdentity:
		return p.Name
	}
	return p.ARN()
}

// Label names the principal the way plans and reasons do: kind "name" in
// account, `session "s" of role "R" in A`. An account root in a policy
// stands for the account, which delegates to its own IAM policies, and is
// named for what it admits.
func (p Principal) Label() string {
	switch p.Kind {
	case PrincipalUser, PrincipalRole, PrincipalGroup:
		return fmt.Sprintf("%s %q in %s", p.Kind, p.Name, p.Account)
	case PrincipalAssumedRole:
		return fmt.Sprintf("session %q of role %q in %s", p.Session, p.Name, p.Account)
	case PrincipalFederatedUser:
		return fmt.Sprintf("federated user %q in %s", p.Name, p.Account)
	case PrincipalRoot:
		return fmt.Sprintf("anyone in account %s allowed by its own policies", p.Account)
	case PrincipalOIDCProvider:
		return fmt.Sprintf("federated provider %s (OIDC) in %s", p.Name, p.Account)
	case PrincipalSAMLProvider:
		return fmt.Sprintf("federated provider %q (SAML) in %s", p.Name, p.Account)
	case PrincipalWebIdentity:
		return "federated provider " + p.Name
	case PrincipalService:
		return "service " + p.Name
	case PrincipalAnyone:
		return `anyone (Principal "*")`
	}
	return p.String()
}

// RootAccount is the account whose root an ARN names
// (arn:aws:iam::111111111111:root): in a policy, the account itself.
func RootAccount(arn string) (string, bool) {
	p, err := ParsePrincipal(arn)
	if err != nil || p.Kind != PrincipalRoot {
		return "", false
	}
	return p.Account, true
}

// ObjectKind is the kind of state object the principal is or, for a
// session, belongs to: the role. ok is false for the rest, which trustform
// does not manage.
func (p Principal) ObjectKind() (Kind, bool) {
	switch p.Kind {
	case PrincipalUser:
		return KindUser, true
	case PrincipalRole, PrincipalAssumedRole:
		return KindRole, true
	case PrincipalGroup:
		return KindGroup, true
	}
	return "", false
}

// Role is the role a session belongs to, as a principal; other principals
// are returned as they are. A session ARN does not carry the role's path,
// so the role's is "/" unless the caller knows better.
func (p Principal) Role() Principal {
	if p.Kind != PrincipalAssumedRole {
		return p
	}
	return Principal{Kind: PrincipalRole, Partition: p.Partition, Account: p.Account, Path: "/", Name: p.Name}
}

// ARNKey returns the key of the role, user, group or customer-managed policy
// an IAM ARN names (an assumed-role session names its role).
func ARNKey(arn string) (Key, bool) {
	if p, err := ParsePrincipal(arn); err == nil {
		if kind, ok := p.ObjectKind(); ok && p.Account != "aws" {
			return PrincipalKey(p.Account, kind, p.Name), true
		}
		return Key{}, false
	}
	a, err := ParseARN(arn)
	if err != nil || a.Service != "iam" || a.Account == "" || a.Account == "aws" {
		// AWS managed policies (account "aws") are no account's objects.
		return Key{}, false
	}
	if _, name, ok := IAMPath(a.Resource, "policy"); ok {
		return PolicyKey(a.Account, name), true
	}
	return Key{}, false
}
