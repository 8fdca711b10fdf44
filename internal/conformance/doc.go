// Package conformance owns trustform's shared provider conformance suite: the
// one definition of what an engine.Provider must do, run against every target
// (the local simulation always; the aws target against moto) so that a stack
// that plans and applies on one target behaves the same on the others.
//
// A target's tests call Run with a Harness that hands out fresh, empty
// accounts. The suite then checks, each subtest from a fresh harness:
//
//   - ChangeKinds: every kind of change the engine emits (roles, managed
//     policies, groups, users, inline policies, attachments of customer and
//     AWS-managed policies, memberships; create, update and delete) carried
//     out by Provider.Apply and read back by Provider.Read;
//   - PolicyVersionPruning: a managed policy updated more often than IAM
//     keeps versions ends with the last document as its default;
//   - EndToEnd, Drift, Ownership, DeleteOrdering: whole stacks planned and
//     applied through the engine: convergence (a second plan is empty),
//     destroy restoring the accounts, drift reverted, objects the stack does
//     not own left exactly as they were, deletes ordered so IAM never sees a
//     DeleteConflict;
//   - IdentityCheck: an account whose credentials act in another account
//     stops the plan before anything is read or written;
//   - EvaluationCorpus: every case of the access evaluator's corpus
//     (testdata/eval) whose state IAM can hold is created through
//     Provider.Apply, read back through Provider.Read, and its request
//     evaluated on what was read, so the evaluator's answers hold on the
//     forms a target really returns. One harness serves all cases: each
//     case's objects are deleted before the next.
//
// What the suite assumes of a target is only the engine.Provider contract:
//
//   - Apply acts on a change's Before and After (Attrs are for people and
//     may be empty in the suite's own changes, which are built the way the
//     engine builds them: a role, group or user without its policies and
//     memberships, the object read back as Before of an update);
//   - Read returns every object of an account, keyed by model.NameKey, with
//     ownership flags unset, and with what the engine diffs on the objects a
//     stack owns: role descriptions, maximum session durations and tags,
//     user tags, managed policies' descriptions and default documents. The
//     suite's own objects therefore carry its ownership marks (owner tag on
//     roles and users, policy description marker, group path) as the
//     engine's do, and a target may skip the calls for attributes the engine
//     never compares on objects no stack owns. The aws target reads a role's
//     description and maximum session duration for roles carrying the owner
//     tag (with any value), and on other roles may read them as "" and 0
//     ("not read"). Objects not owned are only checked to read back the same
//     before and after the stack runs, never against the fixtures as
//     written, and on a role without the owner tag its description and
//     maximum session duration are not compared at all;
//   - managed policies carry no tags: the engine neither sets nor diffs
//     them, and IAM's account read does not return them, so the suite sets
//     none and never compares a managed policy's tags (a target may read
//     them as nil);
//   - documents may come back in any form IAM accepts (URL-encoded, single
//     values instead of lists, reordered): they are compared with
//     policy.Equivalent, never as text.
//
// The suite is kept small in API calls (a few hundred in all) because the aws
// target runs it against moto, one request per connection: changes are
// batched into phases that are read back once, not after every call.
// Subtests run one after another, never in parallel, because a target may
// have a single backend that Harness.New resets.
package conformance
