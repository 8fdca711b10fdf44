account "production" {
  id = "999999999999"
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust {
    accounts = [account.production]
  }
  tags = {
    "trustform:stack" = "other"
    "aws:team"        = "platform"
    "Trustform:Applied:2" = "x"
  }
}
