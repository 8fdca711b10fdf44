locals {
  a = "${local.b}-a"
  b = "${local.a}-b"
}

account "production" {
  id = "999999999999"
}

role "first" {
  account = account.production
  name    = "${role.second.name}-first"
  trust {
    accounts = [account.production]
  }
}

role "second" {
  account = account.production
  name    = "${role.first.name}-second"
  trust {
    accounts = [account.production]
  }
}
