account "production" {
  id = "999999999999"
}

policy "read_write_app_bucket" {
  account = account.production
  name    = "read-write-app-bucket"
  tags    = { team = "platform" }

  statement {
    actions   = ["s3:ListAllMyBuckets"]
    resources = ["*"]
  }
}
