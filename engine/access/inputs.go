package access

import "github.com/trustform/trustform/engine/model"

// Inputs are everything an evaluator reads. The state (its users' and
// roles' permissions boundaries and its organisation's SCPs and RCPs
// included), the policy resolver and the session policies a question gives
// are read today; the last field is the slot for the resource-based
// policies other than role trust policies. They are typed
// for the readers that will fill them, and every one that is nil is named
// in the caveats of every answer (see notRead), so an answer never claims a
// policy type that nobody gave it.
type Inputs struct {
	// State holds the accounts' users, groups, roles and customer managed
	// policies; nil is an empty state.
	State *model.State
	// Policies resolves an AWS managed policy's ARN to its document; nil
	// resolves none, and each such policy attached is named in the caveats.
	Policies PolicyResolver

	// SessionPolicies maps a principal ARN as a Request names it (a
	// session's ARN, or a role's for any of its sessions) to the documents
	// of the session policies passed when the session was made, inline and
	// managed alike; nil when none were given.
	SessionPolicies map[string][]string
	// ResourcePolicies maps a resource's ARN to its resource-based policy
	// (bucket, key, queue, secret policies...); role trust policies are
	// read from the state instead. nil when none were read.
	ResourcePolicies map[string]ResourcePolicy
}

// PolicyResolver returns the document of a managed policy by ARN, and
// whether it knows it. The CLI passes the local target's built-in copies of
// the AWS managed policies.
type PolicyResolver func(arn string) (document string, ok bool)

// ResourcePolicy is a resource's resource-based policy and the account that
// owns the resource, which the ARN does not always say (an S3 bucket's does
// not) and which decides whether a request is cross-account.
type ResourcePolicy struct {
	Account  string
	Document string
}

// slot is one optional input: the caveat every answer carries while the
// evaluator does not read it, whether the inputs give it, and whether the
// evaluator reads it when given.
type slot struct {
	caveat string
	given  func(Inputs) bool
	// read is true once the evaluator builds the slot's layer (see
	// layers); until then a slot that is given stays in the caveats, so
	// that filling a slot without evaluating it does not drop the warning.
	read bool
}

// slots are the optional inputs, in the order their caveats are listed.
// The words are those every answer has carried, so plans, explain and
// who-can say the same as before the inputs had slots. Permissions
// boundaries have no slot: the state carries each user's and role's, as
// both targets read it (GetAccountAuthorizationDetails on AWS), and the
// evaluator always applies them (boundaryLayer).
var slots = []slot{
	{
		// The organisation travels with the state it was read with
		// (model.State.Organization), read when the stack declares an
		// organization block.
		caveat: "AWS Organizations SCPs (and RCPs) are not evaluated: they can deny what these policies allow",
		given:  func(in Inputs) bool { return in.State != nil && in.State.Organization != nil },
		read:   true,
	},
	{
		caveat: "session policies are not evaluated: a session's policy can only narrow what its role allows",
		given:  func(in Inputs) bool { return in.SessionPolicies != nil },
		read:   true,
	},
	{
		caveat: "resource-based policies other than role trust policies (bucket, key, queue policies...) are not evaluated",
		given:  func(in Inputs) bool { return in.ResourcePolicies != nil },
	},
}

// notRead returns the caveats of the optional inputs the evaluator does not
// read: those the inputs leave nil, and those given that it cannot read yet.
func notRead(in Inputs, slots []slot) []string {
	var out []string
	for _, s := range slots {
		if !s.read || !s.given(in) {
			out = append(out, s.caveat)
		}
	}
	return out
}
