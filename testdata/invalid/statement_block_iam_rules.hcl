# Statement blocks meet IAM's grammar too: a resource must be "*" or an ARN,
# and no two statements of one policy may share a sid.
account "production" {
  id = "999999999999"
}

role "app" {
  account = account.production
  name    = "App"
  trust {
    services = ["ec2.amazonaws.com"]
  }
  inline_policy "read" {
    statement {
      sid       = "Read"
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::app/*", "not-an-arn"]
    }
    statement {
      sid       = "Read"
      actions   = ["s3:ListBucket"]
      resources = ["arn:aws:s3:::app"]
    }
  }
}
