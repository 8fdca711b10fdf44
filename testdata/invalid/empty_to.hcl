account "production" {
  id = "999999999999"
}

account "development" {
  id = "111111111111"
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust {
    accounts = [account.development]
  }
}

grant "update_app" {
  to    = []
  roles = [role.update_app]
}
