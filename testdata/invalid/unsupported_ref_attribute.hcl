account "production" {
  id = "999999999999"
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust {
    accounts = [account.production]
  }
}

grant "self" {
  to    = [role.update_app]
  roles = [role.update_app.arnn]
}
