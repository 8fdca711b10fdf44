# An organisation of many accounts: every member account gets a
# SecurityAudit role that the security account may assume, and the security
# team's existing group is granted all of them. Adding an account is one
# line in var.members.

stack "orgaudit" {
  target = "local"
}

variable "security_id" {
  type        = string
  default     = "555555555555"
  description = "The security account, where the security team's people are."
}

variable "members" {
  type        = map(string)
  description = "The member accounts to audit: name => 12-digit account id."
  default = {
    analytics  = "100000000001"
    billing    = "100000000002"
    checkout   = "100000000003"
    data-lake  = "100000000004"
    identity   = "100000000005"
    logging    = "100000000006"
    networking = "100000000007"
    payments   = "100000000008"
    sandbox    = "100000000009"
    search     = "100000000010"
    shared     = "100000000011"
    staging    = "100000000012"
  }
}

account "security" {
  id = var.security_id
}

account "member" {
  for_each = var.members
  id       = each.value
}

# The organisation the accounts belong to, read (read-only) through the
# security account, a delegated administrator for AWS Organizations: where
# each account sits and the SCPs and RCPs on its path, so that every answer
# below counts them.
organization {
  account = account.security
}
