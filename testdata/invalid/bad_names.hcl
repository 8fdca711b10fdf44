account "production" {
  id = "999999999999"
}

user "ci" {
  account = account.production
  name    = "continuous-integration-user-for-the-production-account-deployments"
}

policy "rw" {
  account = account.production
  name    = "read write"
  path    = "/a b/"
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}
