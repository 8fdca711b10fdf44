account "production" {
  id = "999999999999"
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust {
    require_mfa = true
  }
}
