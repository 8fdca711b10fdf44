# Development: the groups and people exist already (see local-seed.json for
# the local target); the stack only adds its allow and deny to the groups.

group "developers" {
  account  = account.development
  name     = "Developers"
  existing = true
}

group "testers" {
  account  = account.development
  name     = "Testers"
  existing = true
}

user "david" {
  account  = account.development
  name     = "David"
  groups   = [group.developers]
  existing = true
}

user "tess" {
  account  = account.development
  name     = "Tess"
  groups   = [group.testers]
  existing = true
}

# Developers may assume UpdateApp.
grant "developers_update_app" {
  to    = [group.developers]
  roles = [role.update_app]
}

# Testers have PowerUserAccess, which allows sts:AssumeRole on any role:
# only an explicit deny keeps them out. local-seed.json holds the accounts as
# they were before this block was added, so the first plan of the example is
# the pull request that adds it (see README.md).
deny "testers_update_app" {
  to    = [group.testers]
  roles = [role.update_app]
}

expect "david_can_update" {
  principal  = user.david
  can_assume = role.update_app
}

expect "tess_cannot_update" {
  principal     = user.tess
  cannot_assume = role.update_app
}

expect "only_developers" {
  role              = role.update_app
  assumable_only_by = [group.developers]
}
