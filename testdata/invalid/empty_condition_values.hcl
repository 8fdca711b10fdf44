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
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values   = []
    }
  }
}
