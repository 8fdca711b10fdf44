# One managed policy listing every bucket of the organisation: over IAM's
# 6,144 characters for a managed policy (PolicySize).
account "production" {
  id = "999999999999"
}

policy "read_all_buckets" {
  account = account.production
  name    = "read-all-buckets"
  statement {
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [for i in range(200) : "arn:aws:s3:::productionapp-data-${i}/*"]
  }
}
