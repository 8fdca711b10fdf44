account "management" {
  id = "555555555555"
}

organization {
  account = account.management
}

organization {
  account = account.management
}
