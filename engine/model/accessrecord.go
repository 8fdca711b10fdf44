package model

// RecordedAssumer is one entry of a stack's access record: a principal that
// could assume one of the stack's roles when the stack last applied, and the
// conditions it had to meet. The record lets the next plan tell access that
// changed without the stack (an SCP detached, a policy edited by hand) from
// the access the plan itself changes.
type RecordedAssumer struct {
	Role string // the role's ARN
	// Principal is named as the evaluator names assumers (an ARN, a
	// service, "*"); "" records that nobody could assume the role.
	Principal  string
	Conditions []string // sorted; none for an unconditional ability
}
