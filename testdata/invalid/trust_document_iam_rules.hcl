# What IAM refuses in a trust policy, reported at trust_document: only
# NotPrincipal, a wildcard inside a principal ARN, a Resource, an action of
# another service than STS.
account "production" {
  id = "999999999999"
}

role "not_principal" {
  account = account.production
  name    = "NotPrincipalOnly"
  trust_document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", NotPrincipal = { AWS = "arn:aws:iam::111111111111:root" } }]
  })
}

role "wildcard_account" {
  account = account.production
  name    = "WildcardAccount"
  trust_document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "arn:aws:iam::*:root" } }]
  })
}

role "with_resource" {
  account = account.production
  name    = "WithResource"
  trust_document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "111111111111" }, Resource = "*" }]
  })
}

role "s3_action" {
  account = account.production
  name    = "S3Action"
  trust_document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Principal = { AWS = "111111111111" } }]
  })
}
