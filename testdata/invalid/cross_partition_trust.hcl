# A role in the aws partition trusting an aws-cn account and an aws-us-gov
# role: partitions have separate IAMs, so neither could ever assume it.
account "production" {
  id = "999999999999"
}

account "development" {
  id = "111111111111"
}

account "china" {
  id        = "222222222222"
  partition = "aws-cn"
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust {
    accounts = [account.development, account.china]
  }
  trust {
    principals  = ["arn:aws-us-gov:iam::333333333333:role/Deployer"]
    require_mfa = true
  }
}
