# Production: the bucket's access policy and the role that carries it.

policy "read_write_app_bucket" {
  account     = account.production
  name        = "read-write-app-bucket"
  description = "Read and write the ${local.bucket} bucket."

  statement {
    actions   = ["s3:ListAllMyBuckets"]
    resources = ["*"]
  }

  statement {
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = ["arn:aws:s3:::${local.bucket}"]
  }

  statement {
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:aws:s3:::${local.bucket}/*"]
  }
}

role "update_app" {
  account              = account.production
  name                 = "UpdateApp"
  description          = "Lets Development's developers update the ${local.bucket} bucket."
  max_session_duration = 3600

  # Trusting the account's root principal delegates the decision to
  # Development's own IAM policies: the grant and the deny below.
  trust {
    accounts = [account.development]
  }

  managed_policies = [policy.read_write_app_bucket]

  tags = {
    app = local.bucket
  }
}
