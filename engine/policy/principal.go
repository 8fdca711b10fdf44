package policy

import (
	"slices"

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
