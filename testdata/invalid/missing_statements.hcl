account "production" {
  id = "999999999999"
}

account "development" {
  id = "111111111111"
}

policy "read_write_app_bucket" {
  account = account.production
  name    = "read-write-app-bucket"
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust {
    accounts = [account.development]
  }
  inline_policy "read-app-bucket" {
  }
}
