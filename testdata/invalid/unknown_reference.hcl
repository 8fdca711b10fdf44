account "production" {
  id = "999999999999"
}

locals {
  bucket = "productionapp"
}

role "update_app" {
  account = account.prod
  name    = "UpdateApp"
  trust {
    accounts = [account.production]
  }
  inline_policy "notes" {
    statement {
      actions   = ["s3:ListBucket"]
      resources = ["arn:aws:s3:::${local.bukket}"]
    }
  }
}
