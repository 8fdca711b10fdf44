# What IAM's policy grammar refuses in a document, reported at the document
# attribute before any call: no Resource, an action without a service
# prefix, no statements, a Sid IAM refuses, two statements with one Sid, a
# resource that is not an ARN.
account "production" {
  id = "999999999999"
}

policy "no_resource" {
  account = account.production
  name    = "NoResource"
  document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject" }]
  })
}

policy "no_prefix" {
  account = account.production
  name    = "NoPrefix"
  document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "GetObject", Resource = "*" }]
  })
}

policy "no_statements" {
  account  = account.production
  name     = "NoStatements"
  document = jsonencode({ Version = "2012-10-17", Statement = [] })
}

policy "bad_sid" {
  account = account.production
  name    = "BadSid"
  document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Sid = "read all!", Effect = "Allow", Action = "s3:GetObject", Resource = "*" }]
  })
}

policy "same_sid" {
  account = account.production
  name    = "SameSid"
  document = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Read", Effect = "Allow", Action = "s3:GetObject", Resource = "*" },
      { Sid = "Read", Effect = "Allow", Action = "s3:ListBucket", Resource = "*" },
    ]
  })
}

policy "not_an_arn" {
  account = account.production
  name    = "NotAnArn"
  document = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "not-an-arn" }]
  })
}
