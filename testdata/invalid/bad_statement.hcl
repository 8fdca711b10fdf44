account "production" {
  id = "999999999999"
}

role "app" {
  account = account.production
  name    = "App"
  trust {
    services = ["ec2.amazonaws.com"]
  }
  inline_policy "read bucket" {
    statement {
      sid       = "read-bucket"
      actions   = ["s3 GetObject"]
      resources = []
      condition {
        test   = "StringEquals"
        values = ["x"]
      }
    }
  }
}
