account "production" {
  id = "999999999999"
}

role "update_app" {
  account             = account.production
  name                = "UpdateApp"
  max_sesion_duration = 7200
  trust {
    accounts = [account.production]
  }
}
