# Characters outside IAM's PolicyDocument pattern (a zero-width space pasted
# into an ARN) and a percent-encoded document, in a document, a trust
# document and a statement block.
account "production" {
  id = "999999999999"
}

policy "zero_width_space" {
  account = account.production
  name    = "ZeroWidthSpace"
  document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::app​/*" }]
  })
}

policy "percent_encoded" {
  account  = account.production
  name     = "PercentEncoded"
  document = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
}

role "app" {
  account = account.production
  name    = "App"
  trust {
    services = ["ec2.amazonaws.com"]
  }
  inline_policy "read" {
    statement {
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::app​/*"]
    }
  }
}
