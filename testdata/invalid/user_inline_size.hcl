# An existing user granted every application role directly: a user's inline
# policies may total only 2,048 characters (UserPolicySizeQuota).
account "development" {
  id = "111111111111"
}

account "production" {
  id = "999999999999"
}

user "david" {
  account  = account.development
  name     = "David"
  existing = true
}

role "app" {
  for_each = toset([for i in range(45) : format("app%02d", i)])
  account  = account.production
  name     = "Update-${each.key}"
  trust {
    accounts = [account.development]
  }
}

grant "david_apps" {
  to    = [user.david]
  roles = values(role.app)
}

deny "david_app00" {
  to    = [user.david]
  roles = [role.app["app00"]]
}
