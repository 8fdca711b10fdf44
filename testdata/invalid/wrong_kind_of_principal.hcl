account "production" {
  id = "999999999999"
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust {
    principals = ["arn:aws:iam::111111111111:group/Developers"]
  }
}
