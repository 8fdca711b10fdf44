account "production" {
  id = "99999999999"
}

account "development" {
  id = "1111-1111-1111"
}
