account "production" {
  id = "999999999999"
}

role "update_app" {
  account              = account.production
  name                 = "UpdateApp"
  max_session_duration = 86400
  trust {
    accounts = [account.production]
  }
}
