package policy

import (
	"slices"
	"strings"

	"github.com/trustform/trustform/engine/model"
)

// awsPrincipalKinds are what an "AWS" principal ARN may name: an account,
// a user, a role, a role session or a federated user (a group is no
// principal).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
var awsPrincipalKinds = []model.PrincipalKind{
	model.PrincipalRoot, model.PrincipalUser, model.PrincipalRole, model.PrincipalAssumedRole, model.PrincipalFederatedUser,
}

// ReadPrincipal reads one value of a Principal element, of type AWS,
// Service, Federated or "*" (the bare "Principal": "*"): "*" is anyone; an
// AWS value is an account id or the ARN of an account root, user, role,
// session or federated user with a 12-digit account; a Service value is the
// service's host; a Federated value is an OIDC or SAML provider's ARN or,
// otherwise, a web identity provider's host (accounts.google.com). ok is
// false for what names none of these: a unique id IAM shows for a deleted
// principal, a CanonicalUser. It reads; Check says what IAM refuses.
func ReadPrincipal(typ, value string) (p model.Principal, ok bool) {
	switch typ {
	case "*":
		return model.Principal{Kind: model.PrincipalAnyone}, true
	case "Service":
		return model.Principal{Kind: model.PrincipalService, Name: value}, true
	case "Federated":
		if p, err := model.ParsePrincipal(value); err == nil &&
			(p.Kind == model.PrincipalOIDCProvider || p.Kind == model.PrincipalSAMLProvider) {
			return p, true
		}
		return model.Principal{Kind: model.PrincipalWebIdentity, Name: value}, true
	case "AWS":
		return readAWSPrincipal(value)
	}
	return model.Principal{}, false
}

func readAWSPrincipal(value string) (model.Principal, bool) {
	switch {
	case value == "*":
		return model.Principal{Kind: model.PrincipalAnyone}, true
	case IsAccountID(value):
		// The account id alone stands for the account's root.
		return model.Principal{Kind: model.PrincipalRoot, Account: value}, true
	}
	p, err := model.ParsePrincipal(value)
	if err != nil || !IsAccountID(p.Account) || !slices.Contains(awsPrincipalKinds, p.Kind) {
		return model.Principal{}, false
	}
	return p, true
}

// webIdentityHosts are the web identity providers a Federated value names by
// host rather than by an identity provider's ARN (Amazon Cognito, Login
// with Amazon, Facebook, Google). cognito-identity.amazonaws.com looks like
// a service principal but is not one.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-federated-web-identity
var webIdentityHosts = map[string]bool{
	"cognito-identity.amazonaws.com": true, "accounts.google.com": true, "graph.facebook.com": true, "www.amazon.com": true,
}

// ReadPrincipalValue reads a principal from its value alone, as
// model.Principal.String writes it, without the type (AWS, Service,
// Federated) of the element it came under: "*" is anyone; a principal ARN
// is what model.ParsePrincipal reads; one of the web identity hosts above
// is that provider; another host (a name with a dot and no ":", "/" or
// space) is a service; anything else, which only a Federated element
// holds, a web identity provider named by it. Plan files write principals
// so, and read them back with it. The value alone cannot tell a service
// from a web identity provider named by some other host: such a provider
// reads as a service. The principal's String is always value.
func ReadPrincipalValue(value string) model.Principal {
	switch {
	case value == "*":
		return model.Principal{Kind: model.PrincipalAnyone}
	case webIdentityHosts[strings.ToLower(value)]:
		return model.Principal{Kind: model.PrincipalWebIdentity, Name: value}
	case strings.Contains(value, ".") && !strings.ContainsAny(value, ":/ "):
		return model.Principal{Kind: model.PrincipalService, Name: value}
	}
	if p, err := model.ParsePrincipal(value); err == nil {
		return p
	}
	return model.Principal{Kind: model.PrincipalWebIdentity, Name: value}
}
