package access

// EvaluateOutsider exposes to the package's external tests the evaluation
// of a principal that the role's trust policy names as an outsider: judged
// alone (alone, as TrustAdmits judges every principal), or as WhoCanAssume
// judges the principals outside the evaluator's state. ok is false when the
// trust policy names no such outsider, or when the context contradicts who
// it is (consistentContext), which neither search would try.
func (e *Evaluator) EvaluateOutsider(roleARN, principal string, alone bool, ctx map[string][]string) (res Result, ok bool) {
	role, acct, _ := e.findRole(roleARN)
	if role == nil {
		return Result{}, false
	}
	trust, err := e.parse(role.TrustPolicy)
	if err != nil {
		return Result{}, false
	}
	ev := e
	if alone {
		ev = judgedAlone()
	}
	for _, o := range ev.outsiders(trust, partitionOf(acct)) {
		if o.id == principal {
			if !ev.consistentContext(o, ctx) {
				return Result{}, false
			}
			return ev.evaluateOutside(o, role, acct, trust, ctx), true
		}
	}
	return Result{}, false
}
