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

role "update_app_again" {
  account = account.production
  name    = "updateapp"
  trust {
    accounts = [account.production]
  }
}
