account "production" {
  id = "999999999999"
}

policy "update_app_trust" {
  account = account.production
  name    = "update-app-trust"
  document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111111111111:root" }
      Action    = "sts:AssumeRole"
    }]
  })
}
