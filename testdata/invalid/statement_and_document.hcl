account "production" {
  id = "999999999999"
}

policy "read_write_app_bucket" {
  account  = account.production
  name     = "read-write-app-bucket"
  document = jsonencode({ Version = "2012-10-17", Statement = [] })
  statement {
    actions   = ["s3:ListAllMyBuckets"]
    resources = ["*"]
  }
}
