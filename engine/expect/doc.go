// Package expect checks a stack's expect blocks against a state — in plans,
// the projected state: the accounts as they will be once the plan is
// applied, objects the stack does not own included — with the access
// evaluator. It owns what each form of expectation means:
//
//   - can_assume passes when the principal can assume the role in some
//     legitimate way: with MFA where the trust policy asks for it, with the
//     ExternalId it requires;
//   - cannot_assume passes only when the principal cannot assume the role in
//     any of those ways;
//   - assumable_only_by passes when every principal that can assume the role
//     is one of those listed, or a member of a listed group.
package expect
