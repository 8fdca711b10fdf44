account "ours" {
  id = "123456789012"
}

account "vendor" {
  id       = "777777777777"
  external = true
  profile  = "vendor-admin"
  assume_role {
    role_arn = "arn:aws:iam::777777777777:role/Admin"
  }
}

role "scanner" {
  account = account.vendor
  name    = "Scanner"
  trust {
    accounts = [account.ours]
  }
}
