# The security account: the team's group and people exist already (see
# local-seed.json for the local target); the stack adds one grant to the
# group, naming every audit role.

group "security_team" {
  account  = account.security
  name     = "SecurityTeam"
  existing = true
}

user "sofia" {
  account  = account.security
  name     = "Sofia"
  groups   = [group.security_team]
  existing = true
}

# One inline policy on SecurityTeam allowing sts:AssumeRole on all the audit
# roles: values() lists the instances of role.audit.
grant "security_team_audit" {
  to    = [group.security_team]
  roles = values(role.audit)
}

# For every member account: Sofia can audit it, and nobody outside the
# security team can assume its audit role.
expect "sofia_can_audit" {
  for_each   = role.audit
  principal  = user.sofia
  can_assume = each.value
}

expect "only_security_team" {
  for_each          = role.audit
  role              = each.value
  assumable_only_by = [group.security_team]
}
