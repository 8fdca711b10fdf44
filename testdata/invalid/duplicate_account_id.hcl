account "production" {
  id = "999999999999"
}

account "prod" {
  id = "999999999999"
}
