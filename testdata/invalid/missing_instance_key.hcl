account "member" {
  for_each = { a = "111111111111", b = "222222222222" }
  id       = each.value
}

role "audit" {
  account = account.member
  name    = "Audit"
  trust {
    accounts = [account.member.id]
  }
}
