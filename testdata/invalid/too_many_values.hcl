account "production" {
  id = "999999999999"
}

role "deploy" {
  account = account.production
  name    = "Deploy"
  trust {
    principals = [account.production]
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values   = flatten([for i in range(1001) : [for j in range(10) : "team-${i}-${j}"]])
    }
  }
}
