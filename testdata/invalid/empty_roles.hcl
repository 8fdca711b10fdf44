account "development" {
  id = "111111111111"
}

group "developers" {
  account  = account.development
  name     = "Developers"
  existing = true
}

grant "developers" {
  to    = [group.developers]
  roles = []
}
