account "development" {
  id = "111111111111"
}

group "developers" {
  account          = account.development
  name             = "Developers"
  existing         = true
  managed_policies = ["arn:aws:iam::aws:policy/PowerUserAccess"]
}

user "david" {
  account  = account.development
  name     = "David"
  existing = true
  inline_policy "notes" {
    statement {
      actions   = ["s3:ListBucket"]
      resources = ["arn:aws:s3:::notes"]
    }
  }
}
