# One audit role per member account, generated from var.members.

role "audit" {
  for_each             = account.member
  account              = each.value
  name                 = "SecurityAudit"
  path                 = "/security/"
  description          = "Read-only security audit of ${each.key}, for the security account's team."
  max_session_duration = 3600

  # The security account's root: its own policies (the grant in security.hcl)
  # decide who there may assume the role.
  trust {
    accounts = [account.security]
  }

  managed_policies = ["arn:aws:iam::aws:policy/SecurityAudit"]

  # Every role the stack hands out is bounded: whatever is attached to it
  # later, a session of it can at most read.
  permissions_boundary = "arn:aws:iam::aws:policy/ReadOnlyAccess"

  tags = {
    account = each.key
    team    = "security"
  }
}
