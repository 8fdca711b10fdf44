# IAM's pattern for a role description refuses a right-to-left override
# (U+202E) and emoji.
account "production" {
  id = "999999999999"
}

role "rtl" {
  account     = account.production
  name        = "Rtl"
  description = "Reads the ‮gnp.exe bucket"
  trust {
    services = ["ec2.amazonaws.com"]
  }
}

role "emoji" {
  account     = account.production
  name        = "Emoji"
  description = "Deploys the app 🚀"
  trust {
    services = ["ec2.amazonaws.com"]
  }
}
