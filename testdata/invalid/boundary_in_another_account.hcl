account "development" {
  id = "111111111111"
}

account "production" {
  id = "999999999999"
}

policy "limits" {
  account = account.development
  name    = "limits"
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
}

role "update_app" {
  account              = account.production
  name                 = "UpdateApp"
  permissions_boundary = policy.limits
  trust {
    accounts = [account.development]
  }
}
