account "production" {
  id = "999999999999"
}

group "team" {
  account = account.production
  name    = each.key
}
