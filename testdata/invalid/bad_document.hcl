account "production" {
  id = "999999999999"
}

policy "broken" {
  account  = account.production
  name     = "broken"
  document = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\"}]}"
}
