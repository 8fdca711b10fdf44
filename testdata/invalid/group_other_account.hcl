account "development" {
  id = "111111111111"
}

account "production" {
  id = "999999999999"
}

group "operators" {
  account = account.production
  name    = "Operators"
}

user "david" {
  account = account.development
  name    = "David"
  groups  = [group.operators]
}
