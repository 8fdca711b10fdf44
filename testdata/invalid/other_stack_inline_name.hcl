account "production" {
  id = "999999999999"
}

account "development" {
  id = "111111111111"
}

role "app" {
  account = account.production
  name    = "App"
  trust {
    accounts = [account.development]
  }
  inline_policy "trustform.payments.grant.ci" {
    statement {
      actions   = ["s3:GetObject"]
      resources = ["*"]
    }
  }
}
