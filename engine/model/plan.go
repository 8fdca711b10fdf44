package model

// Plan is what a stack would change, in the order it would change it.
type Plan struct {
	Stack    string
	Target   string // the provider's description, e.g. "local simulation in .trustform"
	Destroy  bool
	Accounts []PlanAccount
	Changes  []*Change
	// Findings are what lint found in the stack (none for a destroy plan).
	Findings []Finding
	// Expectations are the stack's expect blocks checked on the projected
	// state. A plan with a failed expectation is not applicable.
	Expectations []ExpectationResult
	// Access is who gains and who loses the ability to assume which role,
	// comparing the accounts before and after the plan.
	Access []AccessChange
	// AccessOutside is who gained or lost the ability to assume the stack's
	// roles since its last complete apply, by no change of the stack (an
	// SCP detached, a policy edited by hand): the accounts as they are
	// compared with the stack's access record. Only a stack that reads its
	// organisation keeps the record.
	AccessOutside []AccessChange
	// Actual is the state the plan was computed from (not part of the plan's
	// content; kept for checks that need the accounts as read).
	Actual *State
}

// ExpectationResult is the outcome of one expect block.
type ExpectationResult struct {
	Address string
	Source  Source
	Summary string // what was expected, e.g. "user David can assume role UpdateApp"
	Passed  bool
	Reasons []string // why it passed (with which conditions) or failed, for people
}

// The kinds of access change.
const (
	// AccessPrincipal: a principal gains or loses a way to assume a role,
	// or holds it under other conditions.
	AccessPrincipal = "principal"
	// AccessDelegation: a role's trust policy, judged alone (as IAM Access
	// Analyzer judges external access), starts or stops admitting an
	// account's root — any principal of that account that its own policies
	// allow — or every principal ("*"). Who gets in is then decided in the
	// trusted account, by policies the stack may never see again: a
	// reviewer must see the delegation itself, not only today's assumers.
	AccessDelegation = "delegation"
)

// AccessChange is one principal's ability to assume one role, changed by a
// plan. Before and After are the conditions under which it can assume the
// role (nil when it cannot; empty when it needs none).
//
// Principals are typed, not strings: a service and a web identity provider
// are both named by a host, and only the Principal element that named them
// tells them apart. The evaluator knows it; the views read it from the
// change. The plan file holds the text alone (its format predates the
// types), so a plan read back from a file reads the kind from the text
// (policy.ReadPrincipalValue), as show FILE always has.
type AccessChange struct {
	// Kind is AccessPrincipal or AccessDelegation ("" reads as
	// AccessPrincipal, as in plans saved before delegations were reported).
	Kind string
	// Role is the role assumed (kind PrincipalRole, with its path): a role
	// of the accounts read, which is an IAM identity like the principals,
	// so views name it with Label and plan files write its ARN.
	Role Principal
	// Principal is who gains or loses the role: a user, role or session of
	// the accounts read, or what a trust policy names outside them (an
	// account root, a user, role or session of another account, "*", a
	// service, a federated provider); for a delegation an account root or
	// "*" (PrincipalAnyone).
	Principal Principal
	Before    []string
	After     []string
	CanBefore bool
	CanAfter  bool
	// Today, for a delegation, lists the principals of the trusted account
	// (for "*", of every account read) that can assume the role once the
	// plan is applied — or, for a delegation that ends, before it. It is
	// meaningful only when TodayKnown: the account of an external
	// delegation is never read.
	Today      []Principal
	TodayKnown bool
}

// IsDelegation reports whether the change is of kind AccessDelegation.
func (c AccessChange) IsDelegation() bool { return c.Kind == AccessDelegation }

// Broadens reports whether the change gives access: a principal that could
// not assume the role now can, or can with fewer conditions to meet.
func (c AccessChange) Broadens() bool {
	if !c.CanAfter {
		return false
	}
	return !c.CanBefore || len(c.After) < len(c.Before)
}

// Broadening reports whether any access change of the plan gives access.
func (p *Plan) Broadening() bool {
	for _, c := range p.Access {
		if c.Broadens() {
			return true
		}
	}
	return false
}

// Applicable reports whether the plan may be applied: no expectation failed.
func (p *Plan) Applicable() bool {
	for _, e := range p.Expectations {
		if !e.Passed {
			return false
		}
	}
	return true
}

// PlanAccount is one account a plan covers and who it was read as.
type PlanAccount struct {
	Name     string
	ID       string
	Identity string
	External bool // named by the stack, never read: Identity is empty
}

// Counts returns how many objects the plan adds, changes and destroys.
func (p *Plan) Counts() (add, change, destroy int) {
	for _, c := range p.Changes {
		switch c.Action {
		case Create:
			add++
		case Update:
			change++
		case Delete:
			destroy++
		}
	}
	return
}

// Adoptions returns how many objects the plan adopts.
func (p *Plan) Adoptions() int {
	n := 0
	for _, c := range p.Changes {
		if c.Action == Adopt {
			n++
		}
	}
	return n
}
