account "production" {
  id = "999999999999"
}

role "open" {
  account = account.production
  name    = "Open"
  trust {
    principals = ["*"]
  }
}
