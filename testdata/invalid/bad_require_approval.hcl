stack "app" {
  target           = "aws"
  require_approval = "always"
}

account "production" {
  id = "999999999999"
}
