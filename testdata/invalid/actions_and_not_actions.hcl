account "production" {
  id = "999999999999"
}

policy "odd" {
  account = account.production
  name    = "odd"
  statement {
    actions     = ["s3:GetObject"]
    not_actions = ["s3:DeleteObject"]
    resources   = ["*"]
  }
  statement {
    effect = "allow"
  }
}
