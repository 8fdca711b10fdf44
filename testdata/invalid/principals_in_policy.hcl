account "production" {
  id = "999999999999"
}

policy "read_bucket" {
  account = account.production
  name    = "read-bucket"
  statement {
    actions    = ["s3:GetObject"]
    resources  = ["arn:aws:s3:::productionapp/*"]
    principals = ["arn:aws:iam::111111111111:root"]
  }
}
