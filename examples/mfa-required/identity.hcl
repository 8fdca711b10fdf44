# Identity: the people and their groups exist already (see local-seed.json for
# the local target); the stack only adds the grant to the Admins group.

group "admins" {
  account  = account.identity
  name     = "Admins"
  existing = true
}

group "support" {
  account  = account.identity
  name     = "Support"
  existing = true
}

user "ada" {
  account  = account.identity
  name     = "Ada"
  groups   = [group.admins]
  existing = true
}

user "sam" {
  account  = account.identity
  name     = "Sam"
  groups   = [group.support]
  existing = true
}

grant "admins_production_admin" {
  to    = [group.admins]
  roles = [role.admin]
}

# Ada can assume the role — with MFA, which the plan says.
expect "ada_can_administer" {
  principal  = user.ada
  can_assume = role.admin
}

# Sam is in Support, which has ReadOnlyAccess and no grant: with or without
# MFA, Sam cannot.
expect "sam_cannot_administer" {
  principal     = user.sam
  cannot_assume = role.admin
}

expect "only_admins" {
  role              = role.admin
  assumable_only_by = [group.admins]
}
