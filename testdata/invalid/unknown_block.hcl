account "production" {
  id = "999999999999"
}

rol "update_app" {
  account = account.production
  name    = "UpdateApp"
}
