# A group of the aws partition granted a role of aws-cn: its users could never
# assume it.
account "development" {
  id = "111111111111"
}

account "china" {
  id        = "222222222222"
  partition = "aws-cn"
}

group "developers" {
  account  = account.development
  name     = "Developers"
  existing = true
}

role "china_app" {
  account = account.china
  name    = "UpdateApp"
  trust {
    accounts = [account.china]
  }
}

grant "developers_china_app" {
  to    = [group.developers]
  roles = [role.china_app]
}
