account "production" {
  id = "999999999999"
}

policy "p" {
  account = account.production
  name    = "p"
  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
  }
}

grant "wrong" {
  to    = [policy.p]
  roles = ["arn:aws:iam::999999999999:user/NotARole"]
}
