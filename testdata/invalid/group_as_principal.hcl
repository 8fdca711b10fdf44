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
    principals = [group.developers]
  }
}
