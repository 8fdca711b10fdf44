package policy

import (
	"maps"
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// A role's trust policy, read: whom each statement lets assume the role,
// with which action, and what it asks of them. The schema writes trust
// blocks in these terms; the views read trust policies in them.

// The actions that assume a role, one per kind of caller. A trust policy
// may also allow the session actions, sts:TagSession and
// sts:SetSourceIdentity, which let a caller pass session tags or a source
// identity as it assumes the role; they assume nothing on their own.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
const (
	ActionAssumeRole                = "sts:AssumeRole"
	ActionAssumeRoleWithSAML        = "sts:AssumeRoleWithSAML"
	ActionAssumeRoleWithWebIdentity = "sts:AssumeRoleWithWebIdentity"
)

// The condition keys a trust block writes: require_mfa and external_id.
const (
	KeyMFAPresent = "aws:MultiFactorAuthPresent"
	KeyExternalID = "sts:ExternalId"
)

// AssumeAction is the action a principal calls to assume a role: a SAML
// provider's users AssumeRoleWithSAML, other federated providers' (OIDC
// providers, web identity hosts) AssumeRoleWithWebIdentity, and everyone
// else (AWS principals, services, what ReadPrincipal does not know)
// AssumeRole.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html
func AssumeAction(p model.Principal) string {
	switch p.Kind {
	case model.PrincipalSAMLProvider:
		return ActionAssumeRoleWithSAML
	case model.PrincipalOIDCProvider, model.PrincipalWebIdentity:
		return ActionAssumeRoleWithWebIdentity
	}
	return ActionAssumeRole
}

// TrustedPrincipal is one value of a statement's Principal element.
type TrustedPrincipal struct {
	Type      string          // AWS, Service, Federated, CanonicalUser, or "*" for "Principal": "*"
	Value     string          // as written
	Principal model.Principal // as ReadPrincipal reads it; Kind "" when it names nothing ReadPrincipal knows
}

// TrustStatement is one statement of a trust policy, read.
type TrustStatement struct {
	Statement
	// Trusted are the Principal element's values, sorted by type and
	// value, each once.
	Trusted []TrustedPrincipal
	// MFA is a Bool test of aws:MultiFactorAuthPresent for "true" (key and
	// value in any case, as IAM compares them).
	MFA bool
	// ExternalIDs are the values of StringEquals sts:ExternalId, sorted.
	ExternalIDs []string
	// OtherConditions is true when the statement tests anything else: a
	// caller must bring more than MFA and an ExternalId.
	OtherConditions bool
}

// ReadTrust reads the statements of a trust policy, in order.
func ReadTrust(d Document) []TrustStatement {
	out := make([]TrustStatement, 0, len(d.Statements))
	for _, s := range d.Statements {
		ts := TrustStatement{Statement: s, Trusted: trustedPrincipals(s.Principals)}
		ts.readConditions()
		out = append(out, ts)
	}
	return out
}

func trustedPrincipals(m map[string][]string) []TrustedPrincipal {
	var out []TrustedPrincipal
	for _, typ := range slices.Sorted(maps.Keys(m)) {
		values := slices.Sorted(slices.Values(m[typ]))
		if typ == "*" {
			values = []string{"*"}
		}
		for _, v := range slices.Compact(values) {
			p, _ := ReadPrincipal(typ, v)
			out = append(out, TrustedPrincipal{Type: typ, Value: v, Principal: p})
		}
	}
	return out
}

func (ts *TrustStatement) readConditions() {
	for op, keys := range ts.Conditions {
		for key, vals := range keys {
			switch {
			case op == "Bool" && strings.EqualFold(key, KeyMFAPresent) && slices.ContainsFunc(vals, isTrue):
				ts.MFA = true
			case op == "StringEquals" && strings.EqualFold(key, KeyExternalID):
				ts.ExternalIDs = append(ts.ExternalIDs, vals...)
			default:
				ts.OtherConditions = true
			}
		}
	}
	slices.Sort(ts.ExternalIDs)
	ts.ExternalIDs = slices.Compact(ts.ExternalIDs)
}

func isTrue(v string) bool { return strings.EqualFold(v, "true") }

// Admits reports whether the statement applies to one of its principals
// assuming the role: it covers the action that principal calls (a SAML
// provider under sts:AssumeRole alone can assume nothing).
func (ts TrustStatement) Admits(tp TrustedPrincipal) bool {
	return ts.CoversAction(AssumeAction(tp.Principal))
}
