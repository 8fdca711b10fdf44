package access

import "github.com/trustform/trustform/engine/policy"

// CandidateContexts exposes to the package's external tests the contexts
// WhoCanAssume tries for a principal of the state and a role.
func (e *Evaluator) CandidateContexts(principal, roleARN string) []map[string][]string {
	role, _, _ := e.findRole(roleARN)
	if role == nil {
		return nil
	}
	trust, err := policy.Parse(role.TrustPolicy)
	if err != nil {
		return nil
	}
	return e.candidateContextsFor(principal, trust, roleARN)
}
