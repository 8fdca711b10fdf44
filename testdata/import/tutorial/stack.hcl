stack "tutorial" {}

account "production" {
  id = "999999999999"
}

account "development" {
  id = "111111111111"
}
