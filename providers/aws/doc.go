// Package aws owns trustform's "aws" target: the engine.Provider that reads
// and changes the IAM side of real AWS accounts with aws-sdk-go-v2 (config,
// sts and stscreds, iam).
//
// The package owns:
//
//   - how each account is reached (credentials, cached per account):
//     an account's profile, else its assume_role block (assumed from the
//     profile if both are set, from the base identity otherwise), else the
//     stack's assume role name (arn:<partition>:iam::<id>:role/<name>,
//     assumed from the base identity), else the base identity, i.e. the SDK's
//     default chain (environment, SSO, web identity, shared files, instance
//     role). Endpoints come only from the SDK's standard settings
//     (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS, the
//     shared config); when no region is configured the partition's IAM home
//     region signs (us-east-1, cn-north-1, us-gov-west-1);
//   - Identity (sts:GetCallerIdentity), and the refusal to change an account
//     whose credentials act in another one;
//   - Read: an account as a model.Account, in as few calls as IAM allows
//     (below);
//   - Apply: one engine change as the IAM calls it takes, with the semantics
//     of the local target for every kind and action, and the retries IAM
//     needs (below);
//   - Error, which names the failed operation and object and wraps the SDK's
//     error, so that errors.As reaches the smithy.APIError and its code.
//
// Diffing, ordering, ownership and validation are the engine's: Read leaves
// Owned unset, and Apply deletes nothing the engine has not ordered (beyond
// a managed policy's old versions, which IAM requires gone first).
//
// # What a read costs
//
// Read is one paginated GetAccountAuthorizationDetails (GAAD) per account,
// filtered to roles, groups, users and customer-managed policies, plus calls
// only where GAAD lacks what a plan compares. What GAAD lacks is the same on
// AWS and on moto (it is missing from the API model, so the SDK could not
// decode it if a server sent it):
//
//   - roles: RoleDetail has no Description and no MaxSessionDuration. They
//     are read only for roles carrying the trustform:stack tag (the only ones
//     a plan compares them on), with whichever is fewer calls: one GetRole
//     per such role, or ListRoles (both attributes, 1,000 roles a page).
//     Other roles read with an empty description and a zero maximum session
//     duration, meaning "not read";
//   - customer-managed policies: ManagedPolicyDetail has no Tags (and
//     ListPolicies returns none either). The engine does not compare policy
//     tags (ownership is in the description), so Read leaves them nil, "not
//     read", rather than make one ListPolicyTags call per policy. Apply still
//     sets the tags a change carries (CreatePolicy, TagPolicy, UntagPolicy).
//
// So a no-change plan costs, per account, sts:GetCallerIdentity (plus the
// AssumeRole that gets the credentials), the GAAD pages, and, where the
// account holds roles carrying the trustform:stack tag, min(such roles,
// ListRoles pages) calls. Everything else — trust and inline policies,
// attachments, memberships, role and user tags, policy documents and
// descriptions — comes from GAAD.
//
// IAM returns documents URL-encoded (RFC 3986). moto returns some as plain
// JSON (GetPolicyVersion; trust policies in GAAD and ListRoles), so Read
// decodes by format, and with url.PathUnescape: a "+" is a plus sign. moto
// also leaves PolicyName out of GAAD's policies; the name is taken from the
// ARN then.
//
// moto ignores UpdateGroup with a NewPath alone (it changes a path only
// with a rename); the engine plans no group updates today, and the call
// sent is the one AWS documents. moto loses a user's tags with UpdateUser
// NewPath (it files tags under the ARN), so after a path change all the
// user's tags are set again, which is harmless on AWS.
//
// # Retries
//
// Throttling, 5xx answers and transport errors are the SDK standard
// retryer's (8 attempts unless AWS_MAX_ATTEMPTS or the shared config says
// otherwise). Two consequences of re-sending are handled here: a create whose
// first attempt reached IAM meets EntityAlreadyExists, which is success when
// the object that exists is the one being created (same name and path; for a
// role the same trust policy and owner tag, for a user the same owner tag,
// for a policy the same description and default document); and a delete
// re-sent by the SDK that meets NoSuchEntity is success (on a first attempt
// it is an error, as on the local target).
//
// IAM is eventually consistent: right after a create, other calls may not see
// the new object (NoSuchEntity) and a trust policy naming a new principal is
// refused (MalformedPolicyDocument "Invalid principal in policy"). Those are
// retried with exponential backoff and jitter for at most
// Options.RetryTimeout (2 minutes by default) — only when what the call needs
// was created by this provider, so that a genuine mistake fails at once.
//
// # A profile that assumes a role
//
// For a profile with role_arn, the SDK makes its STS client before it
// resolves AWS_ENDPOINT_URL (config resolves credentials first), so the role
// would be assumed at AWS's own STS while every other call goes to the
// configured endpoint. The provider gives that client the endpoint, and
// Options.APIOptions, through config.WithAssumeRoleCredentialOptions.
package aws
