account "development" {
  id = "111111111111"
}

account "production" {
  id = "999999999999"
}

group "developers" {
  account  = account.development
  name     = "Developers"
  existing = true
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust {
    accounts = [account.development]
  }
}

grant "developers_update_app" {
  to          = [group.developers]
  roles       = [role.update_app]
  policy_name = "allow-assume-S3-role-in-production"
}
