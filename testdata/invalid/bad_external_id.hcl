account "production" {
  id = "999999999999"
}

role "vendor" {
  account = account.production
  name    = "VendorAudit"
  trust {
    principals  = ["arn:aws:iam::222222222222:root"]
    external_id = "x"
  }
}
