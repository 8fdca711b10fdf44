account "production" {
  id = "999999999999"
}

account "development" {
  id = "111111111111"
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust {
    accounts = [account.development]
  }
  inline_policy "ReadAppBucket" {
    statement {
      actions   = ["s3:ListBucket"]
      resources = ["arn:aws:s3:::productionapp"]
    }
  }
  inline_policy "readappbucket" {
    statement {
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::productionapp/*"]
    }
  }
}
