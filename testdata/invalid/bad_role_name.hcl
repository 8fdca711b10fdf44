account "production" {
  id = "999999999999"
}

role "update_app" {
  account = account.production
  name    = "Update App!"
  trust {
    accounts = [account.production]
  }
}

role "too_long" {
  account = account.production
  name    = "a-role-name-that-is-far-longer-than-the-sixty-four-characters-iam-allows"
  trust {
    accounts = [account.production]
  }
}
