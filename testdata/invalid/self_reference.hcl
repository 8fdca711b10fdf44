account "production" {
  id = "999999999999"
}

role "app" {
  account = account.production
  name    = "${role.app.path}App"
  trust {
    services = ["ec2.amazonaws.com"]
  }
}

locals {
  me = local.me
}
