account "production" {
  id = "999999999999"
}

user "ci" {
  account = account.production
  name    = "ci"
  tags    = { for i in range(51) : "key${i}" => "value" }
}
