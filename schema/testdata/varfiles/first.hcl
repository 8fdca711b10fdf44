security_id = "333333333333"
members = {
  a = "444444444444"
}
