// Package access evaluates IAM requests against a model.State: may this
// user, role or role session perform this action on this resource, and why?
// Plans use it to check expectations on the projected state, and the CLI's
// explain and who-can commands to answer people. It follows AWS's documented
// policy evaluation logic for identity-based policies and role trust
// policies, and says what it did not evaluate.
//
// # Inputs and layers
//
// New takes Inputs: the state (with each user's and role's permissions
// boundary, and the organisation with its SCPs and RCPs when the stack
// reads it), a PolicyResolver for AWS managed policies, the session
// policies a question gives (explain --session-policy), and a slot for
// resource-based policies other than role trust policies. That slot is not
// read yet: whatever it holds, a non-IAM resource's policy stays unread and
// is named in the caveats, so that filling it does not silence a warning
// before its policies are evaluated.
//
// Every policy type that applies to a request is one layer (identity-based,
// resource-based — the trust policy for sts:AssumeRole —, permissions
// boundary, session, SCP, RCP), and one function, decide, combines them in
// the order of AWS's enforcement logic: an explicit deny in any layer, then
// the RCPs and SCPs, the resource-based policy, the identity-based
// policies, the boundary and the session policies, with the same-account
// and cross-account rules below. A layer that is absent (a slot not read,
// or an outsider's unknown identity-based policies) is not consulted and
// decides nothing.
//
// # What is evaluated
//
// The caller's identity-based policies: for a user, its inline and attached
// policies and those of every group it belongs to (User.Groups, in the same
// account); for a role session (or a role, standing for any of its sessions),
// the role's inline and attached policies. Attached customer managed
// policies are read from the state; AWS managed ones through the resolver
// in Inputs.Policies, and any it does not know are named in the caveats.
//
// The caller's permissions boundary (User.PermissionsBoundary, or its
// role's Role.PermissionsBoundary), a managed policy resolved the same way:
// what the identity-based policies allow must be allowed by it too, and a
// deny in it denies ("Permissions boundaries for IAM entities"). Within the
// role's account, a trust policy that names a user's own ARN decides
// without it, and one naming a role's ARN does not ("Resource-based
// policies and implicit denies in other policy types (same account)"). A
// boundary that cannot be read allows nothing, and the caveats say so.
//
// For sts:AssumeRole (and sts:TagSession, sts:SetSourceIdentity and
// sts:SetContext, which the trust policy also governs) on a role in the
// state, the role's trust policy as well:
//
//   - an explicit Deny in any applicable policy wins;
//   - the trust policy must allow the caller;
//   - across accounts, the caller's identity-based policies must allow too;
//   - within the role's account, a trust policy that names the caller
//     itself (its user ARN, its role's ARN, its session ARN, or "*") is
//     enough, while one that names only the account (its id or root ARN)
//     leaves the decision to the caller's identity-based policies. Role
//     trust policies are the documented exception to "a resource-based
//     policy alone grants same-account access";
//   - nothing allows a role to be assumed from another partition.
//
// Every other request is decided by the identity-based policies alone
// (explicit deny, else an allow is needed), with a caveat when the resource
// is in another account, whose resource-based policy AWS would also consult.
//
// # Matching
//
// Actions compare without case, with "*" and "?" wildcards; NotAction covers
// every action it does not list. Resources compare with case, "*" spanning
// any characters; NotResource covers every resource it does not list. In
// documents of language version 2012-10-17, ${key} policy variables in
// Resource and in string, ARN and Bool condition values take the key's value
// from the request context (aws:username, aws:PrincipalAccount, any key the
// caller gives), ${key, 'default'} falls back to the default, and ${*}, ${?}
// and ${$} are the literal characters. A variable without a value makes its
// resource or value not match, as AWS documents, with a caveat.
//
// A Principal matches when it is "*" or {"AWS": "*"}, names the caller's
// account, names the user, names the role (which matches its sessions), or
// names the exact session. There are no partial wildcards in principals;
// ARNs compare exactly, path and case included. Service, Federated and
// CanonicalUser principals never match IAM users or roles. NotPrincipal is
// read against every identity AWS may check for the caller (the account
// root, then the role for sessions, then the caller): a Deny spares the
// caller only if NotPrincipal names all of them, as the NotPrincipal page
// advises; an Allow (everyone except) leaves the caller out if it names any.
//
// # Conditions
//
// Every operator of a Condition element, and every key under an operator,
// must hold; the values under one key are alternatives. The operators are
// the String, Arn, Numeric, Date, Bool, BinaryEquals, IpAddress/NotIpAddress
// and Null families, each (except Null) with an IfExists form, and the
// ForAnyValue: and ForAllValues: qualifiers. A key absent from the request
// makes a positive test false and a negated test true; IfExists makes it
// true; ForAllValues on an absent or empty key is true and ForAnyValue false.
// Condition keys compare without case. Dates are ISO 8601 (W3C profiles) or
// epoch seconds; IP values are CIDR blocks, a bare address meaning /32 or
// /128. A qualifier-less test on a multi-valued request key holds when any
// value matches (negated: when none does).
//
// The evaluator adds to the context, unless the request gives them:
// aws:PrincipalArn (a session's is its role's ARN), aws:PrincipalAccount,
// aws:PrincipalType (User or AssumedRole), aws:username (users only),
// aws:PrincipalTag/<key> from the user's or role's tags,
// aws:PrincipalIsAWSService (false) and aws:ResourceAccount when the
// resource ARN names an account. aws:userid is never derived: the state holds
// no unique ids. Keys AWS puts in every real request (aws:CurrentTime,
// aws:SourceIp, aws:SecureTransport, ...) are absent unless given, and a
// condition that tests them adds a caveat.
//
// # Caveats
//
// Every Result lists first, as not evaluated, the optional inputs the
// evaluator did not read — today all of them: SCPs (and RCPs), permissions
// boundaries, session policies and resource-based policies other than role
// trust policies (see notRead); and, when they occur, unknown AWS managed
// policies (by name and ARN), attached policies or groups missing from the
// state, documents that do not parse, unknown condition operators,
// unresolved policy variables and absent always-present keys.
//
// # WhoCanAssume
//
// WhoCanAssume tries every user and role of the state (and each session the
// trust policy names) with the empty context and with contexts derived from
// the policies involved: values that satisfy the positive conditions of the
// trust policy's and the caller's allow statements (MFA, an ExternalId, an
// IP address, an organization id, ...) and values that switch off the
// conditional denies, all at once (a deny unless MFA). Policy variables in
// those values resolve to the principal's own values (its user name, tags,
// ARN, account), as when its request is evaluated. Keys that describe the
// principal itself are never invented. Only the statements that can apply
// to a principal are read (the trust statements that name it, its account
// or "*"; its identity statements whose Resource can cover the role), and
// every such trust statement is tried; the combinations with the identity
// allows and the ways around conditional denies are bounded (maxContexts).
// A search cut at the bound is never silent: a principal allowed under it
// carries a caveat, and one that no context tried allows is undecided —
// not listed, named in the caveats, returned by SearchAssumers (and, for
// the trust policy judged alone, TrustSearch) — and the expectations that
// would pass only if it could not assume the role fail. Two layers testing
// one key (a trust policy's StringLike "abc*" and an SCP's "*def") are met
// by trying each value and their joins; when none allows, the principal is
// undecided in the same way, never "nobody". A property test
// checks, over the corpus's states and generated ones (trust policies of a
// dozen conditional statements included), that WhoCanAssume lists exactly
// the principals CanAssume allows, and TrustAdmits exactly the outsiders
// the trust policy alone admits.
//
// It reports, per principal, the smallest context that works
// (Assumer.Context), and what the request must meet (Assumer.Conditions) in
// the words of the policies that allowed it, never the example values of
// the context: each test of the allowing trust statement (and of the
// caller's own allow, where it had to allow) as
//
//	with <operator> <key> "<value>"
//	with <operator> <key> in ["<value>", "<value>"]
//
// and each conditional deny it escaped as `unless <operator> <key> ...`, or
// `unless (<test> and <test>)` for a deny of several tests. "with MFA"
// (Bool aws:MultiFactorAuthPresent "true", or a deny's BoolIfExists
// aws:MultiFactorAuthPresent "false"), `with ExternalId "x"`,
// "if its account is 222222222222" and `if its account is in organization
// "o-..."` (StringEquals, one value) stand for exactly those tests. Tests on
// keys that describe the principal are facts about it and are left out.
//
// It also reports the principals the trust policy's Allow statements name
// that are not users, roles or sessions of the state, whose own policies
// are unknown (Assumer.Outside): they are evaluated on the trust side only,
// as IAM Access Analyzer reports external access, and each result's caveats
// say so. They are: an account root or bare id of an account not in the state
// (reported as the root ARN: any principal of that account that its own
// policies allow; the caveats call it "not one of the accounts read"); a
// user, role or session ARN of such an account; "*" (anyone); a service
// principal (its host name); and a federated provider
// (its ARN or host, wherever the provider is), only where the statement
// allows the action it calls: sts:AssumeRoleWithSAML for a SAML provider
// ARN, sts:AssumeRoleWithWebIdentity for any other. AWS and service
// principals need sts:AssumeRole. Each gets the least context the trust
// policy requires; here keys describing the principal that who it is does
// not fix may be chosen (for "anyone", aws:PrincipalOrgID or
// aws:PrincipalAccount), since some principal of the kind may carry them.
// A matching Deny removes it: one naming "*", its account, or it; one
// whose NotPrincipal does not name it (IAM refuses NotPrincipal in trust
// policies, so this is only for documents built by hand). A declared
// account, or "anyone" pinned by a condition to a declared account, is not
// an outsider: its users and roles are listed with their full evaluation.
// NotPrincipal never adds an outsider, and principals of another partition
// than the role's are left out. A service principal or a federated provider
// never presents aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID,
// aws:PrincipalTag/..., aws:PrincipalType, MFA, aws:username or aws:userid
// (see outsider.absent): a statement that needs one does not let it in. An
// empty principal list ({"Service": []}) names nobody. Evaluate and CanAssume still answer that an
// outsider's account is not one of the accounts read: they evaluate both
// sides or nothing.
//
// # The corpus
//
// testdata/eval/*.json holds evaluation cases, each file one case or a list
// of them, read by LoadCase:
//
//	{
//	  "name":  "tutorial: David (Developers) can assume UpdateApp",
//	  "cites": "<AWS documentation page title, section>",
//	  "state": {
//	    "accounts": {
//	      "111111111111": {
//	        "partition": "aws",                       // optional
//	        "groups": {"Developers": {"path": "/", "inline": {"name": {...document...}}, "attached": ["arn:..."]}},
//	        "users":  {"David": {"path": "/", "groups": ["Developers"], "inline": {...}, "attached": [...], "boundary": "arn:...", "tags": {"k": "v"}}},
//	        "roles":  {"Ops": {"path": "/", "trust": {...document...}, "inline": {...}, "attached": [...], "boundary": "arn:...", "tags": {...}}},
//	        "policies": {"read-write-app-bucket": {"path": "/", "document": {...}}}
//	      }
//	    },
//	    "aws_managed": {"arn:aws:iam::aws:policy/Name": {...document...}}   // optional
//	  },
//	  "request": {"principal": "arn:...", "action": "sts:AssumeRole", "resource": "arn:...", "context": {"key": ["value"]}},
//	  "want": {"allowed": true, "decision": "allow", "reason_contains": ["..."], "caveat_contains": ["..."]},
//	  "who_can": {"role": "arn:...", "want": [{"principal": "arn:...", "conditions": ["with MFA"]}]}   // optional
//	}
//
// Documents are JSON objects, or JSON strings holding the document's text
// (so that a case can hold one that does not parse). Objects are keyed by
// name; attached policies are ARNs. Case.State builds the model.State,
// Case.AWSManaged the resolver (the case's own documents, then a fallback),
// and Case.Check compares a Result with the expectation, so other packages
// can run the corpus on real targets. The package's test resolves AWS
// managed policies from the local target's built-in copies.
package access
