account "development" {
  id = "111111111111"
}

# An existing user is not the stack's: its boundary is left as it is.
user "david" {
  account              = account.development
  name                 = "David"
  existing             = true
  permissions_boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
}
