account "development" {
  id = "111111111111"
}

account "production" {
  id = "999999999999"
}

policy "rw" {
  account = account.development
  name    = "rw"
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}

role "app" {
  account = account.production
  name    = "App"
  trust {
    accounts = [account.development]
  }
  managed_policies = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    policy.rw,
    "arn:aws:iam::111111111111:policy/Other",
  ]
}
