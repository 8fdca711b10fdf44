# TestOIDCStack: roles trusting GitHub Actions' OIDC provider.

stack "oidc" {
  target = "local"
}

account "production" {
  id = "999999999999"
}

account "development" {
  id = "111111111111"
}

# Any repository on GitHub.com: sub "repo:*" names no owner, and there is
# no aud condition.
role "any_repo" {
  account = account.production
  name    = "AnyRepo"
  trust_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:*" } }
    }]
  })
}

# One repository's main branch, with GitHub's documented audience.
role "deploy" {
  account = account.production
  name    = "Deploy"
  trust_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:my-org/app:ref:refs/heads/main"
        }
      }
    }]
  })
}

# Trust blocks render Allow sts:AssumeRole to accounts, principals and
# services: not an OIDC trust, whatever their conditions test.
role "blocks" {
  account = account.production
  name    = "Blocks"
  trust {
    accounts = [account.development]
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:*"]
    }
  }
}
