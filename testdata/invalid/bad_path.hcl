account "production" {
  id = "999999999999"
}

user "ci" {
  account = account.production
  name    = "ci"
  path    = "/no trailing slash"
}
