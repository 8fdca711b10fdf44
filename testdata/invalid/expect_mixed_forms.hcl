account "production" {
  id = "999999999999"
}

user "david" {
  account = account.production
  name    = "David"
}

role "update_app" {
  account = account.production
  name    = "UpdateApp"
  trust {
    accounts = [account.production]
  }
}

expect "confused" {
  principal         = user.david
  can_assume        = role.update_app
  assumable_only_by = [user.david]
}

expect "empty" {
}
