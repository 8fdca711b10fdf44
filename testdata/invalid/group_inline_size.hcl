# One grant per application role to the existing Developers group: each grant
# is an inline policy of its own, and together they pass the 5,120 characters
# IAM allows for a group's inline policies (GroupPolicySizeQuota).
account "development" {
  id = "111111111111"
}

account "production" {
  id = "999999999999"
}

locals {
  apps = toset([for i in range(40) : format("app%02d", i)])
}

group "developers" {
  account  = account.development
  name     = "Developers"
  existing = true
}

role "app" {
  for_each = local.apps
  account  = account.production
  name     = "Update-${each.key}"
  trust {
    accounts = [account.development]
  }
}

grant "developers_app" {
  for_each = local.apps
  to       = [group.developers]
  roles    = [role.app[each.key]]
}

grant "developers_extra" {
  to    = [group.developers]
  roles = [role.app["app00"], role.app["app01"]]
}
