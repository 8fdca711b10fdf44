account "vendor" {
  id       = "444444444444"
  external = true
}

organization {
  account = account.vendor
}
