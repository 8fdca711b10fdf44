account "production" {
  id = "999999999999"
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = "sts:AssumeRole"
    }]
  })
}

role "read_app" {
  account        = account.production
  name           = "ReadApp"
  trust_document = "{\"Version\": \"2012-10-17\", \"Statement\": []"
}
