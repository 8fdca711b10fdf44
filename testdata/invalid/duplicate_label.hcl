account "production" {
  id = "999999999999"
}

account "production" {
  id = "111111111111"
}
