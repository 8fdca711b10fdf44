account "member" {
  for_each = ["111111111111", "222222222222"]
  id       = each.value
}
