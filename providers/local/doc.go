// Package local owns trustform's "local" target: an embedded simulation of
// the IAM side of AWS accounts, kept in a stack's .trustform directory, so
// that every command and example runs with no credentials — and so that a
// plan that applies locally applies on AWS.
//
// The package owns:
//
//   - the simulation itself: roles, customer-managed policies (with every
//     version, v1, v2, ..., and which one is the default), groups, users,
//     inline policies, attachments and memberships, per account; the unique
//     IDs IAM gives roles and users; and a built-in set of AWS managed
//     policies with their real documents (AWSManagedPolicy);
//   - IAM's validation, enforced at least as strictly as AWS: names and
//     paths, case-insensitive name collisions (EntityAlreadyExists), missing
//     objects (NoSuchEntity), deletes that IAM refuses (DeleteConflict),
//     quotas at their default values (LimitExceeded: five policy versions,
//     ten attached policies, policy sizes counted without whitespace, fifty
//     tags), the policy grammar (MalformedPolicyDocument, including "Invalid
//     principal in policy" for a trust policy naming a role or user that does
//     not exist in an account the simulation holds) and maximum session
//     durations. Errors are *APIError values whose ErrorCode is the code IAM
//     returns for the same mistake;
//   - persistence: Dir/state.json, rewritten atomically by group commit
//     (an Apply returns once the file holds its change; one write covers
//     every change applied meanwhile), and Dir/lock, a flock(2) that keeps
//     two runs from changing the same stack at once;
//   - the seed format, with which a stack describes what already exists in
//     its accounts before trustform runs (the groups and users of the
//     tutorial's Development account, for example).
//
// It implements engine.Provider and engine.OrganizationReader: diffing, ordering and
// ownership are the engine's, and ownership flags are left unset on Read.
//
// # What differs from AWS, on purpose
//
// IAM is eventually consistent; the simulation is not: a role is trustable
// the moment it is created. Where AWS accepts something the simulation
// cannot check (a principal in an account the simulation does not hold) the
// simulation accepts it too. Where AWS accepts something the simulation does
// not know (an AWS managed policy outside its built-in set) the simulation
// refuses, and says so. A path or description change that IAM has no API for
// fails with the non-IAM code ReplacementRequired.
//
// When a role or user named in a trust policy is deleted, the trust policy
// shows that principal as its unique ID (AROA…, AIDA…) from then on, as it
// does on AWS; a new principal of the same name is not trusted until the
// trust policy is saved again.
//
// # Seed files
//
// A seed is a JSON file loaded when Dir holds no state yet. It describes
// accounts by ID; every list and field is optional except names and
// documents. Documents may be JSON objects (as below) or strings holding
// JSON. Paths default to "/", max_session_duration to 3600, partition to
// "aws". Policies are attached by ARN: AWS managed ones
// (arn:aws:iam::aws:policy/ReadOnlyAccess) or the account's own customer
// policies (arn:aws:iam::<account>:policy/<path><name>).
//
//	{
//	  "accounts": {
//	    "111111111111": {
//	      "policies": [
//	        {
//	          "name": "read-logs",
//	          "description": "Read CloudWatch Logs",
//	          "tags": {"team": "platform"},
//	          "document": {
//	            "Version": "2012-10-17",
//	            "Statement": [{"Effect": "Allow", "Action": "logs:Get*", "Resource": "*"}]
//	          }
//	        }
//	      ],
//	      "groups": [
//	        {
//	          "name": "Developers",
//	          "attached_policies": ["arn:aws:iam::aws:policy/PowerUserAccess"],
//	          "inline_policies": {
//	            "notes": {
//	              "Version": "2012-10-17",
//	              "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]
//	            }
//	          }
//	        },
//	        {"name": "Testers"}
//	      ],
//	      "users": [
//	        {"name": "David", "groups": ["Developers"], "tags": {"email": "david@example.com"}},
//	        {"name": "Tess", "path": "/qa/", "groups": ["Testers"]}
//	      ],
//	      "roles": [
//	        {
//	          "name": "Auditor",
//	          "description": "Read-only access for the audit team",
//	          "max_session_duration": 7200,
//	          "trust_policy": {
//	            "Version": "2012-10-17",
//	            "Statement": [{
//	              "Effect": "Allow",
//	              "Principal": {"AWS": "arn:aws:iam::111111111111:user/David"},
//	              "Action": "sts:AssumeRole"
//	            }]
//	          },
//	          "attached_policies": [
//	            "arn:aws:iam::aws:policy/ReadOnlyAccess",
//	            "arn:aws:iam::111111111111:policy/read-logs"
//	          ]
//	        }
//	      ]
//	    },
//	    "999999999999": {}
//	  }
//	}
//
// Every object in a seed passes the same checks as an apply; trust policies
// are checked once the whole seed is loaded, so roles may trust principals
// defined later in the file or in another account. A policy may list
// "versions" ([{"document": ..., "default": true}, ...]) instead of one
// "document". A role or user may name its permissions boundary with
// "permissions_boundary": a managed policy ARN the account holds (policies
// are seeded first) or an AWS managed one the simulation knows.
//
// # The organisation
//
// A seed (and so the state file) may hold "organization", an AWS
// organisation in model.OrganizationSpec's form: its ID, management
// account, delegated administrators, enabled policy_types, the root, the
// units and accounts (each naming its parent) and the SCPs and RCPs
// attached to each by ID. ReadOrganization (engine.OrganizationReader)
// answers the management account and the delegated administrators, as AWS
// Organizations does, and refuses any other account (AccessDeniedException;
// AWSOrganizationsNotInUseException for an account in no organisation).
// Apply never changes it; SetOrganization does, for tests that change an
// SCP as an administrator would.
//
// # The state file
//
// Dir/state.json has the same shape, plus "format_version": 1 at the top,
// documents stored as strings exactly as they were submitted, each policy's
// "versions" with their ids and "next_version", each role's and user's
// unique "id", and each account's "entities_created" counter (which keeps
// unique IDs deterministic). A copy of a state file is therefore a valid
// seed. The state file is read back without re-validating it, since it may
// legitimately hold what IAM holds but would not accept as input (a trust
// policy naming the unique ID of a deleted role).
package local
