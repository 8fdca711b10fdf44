account "production" {
  id = "999999999999"
}

user "ci" {
  account = account.production
  name    = "ci"
  tags = {
    (join("", [for i in range(129) : "k"])) = "too long a key"
    long_value                              = join("", [for i in range(257) : "v"])
    ""                                      = "empty key"
  }
}
