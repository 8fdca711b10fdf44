account "a" {
  id = "111111111111"
}

locals {
  doc = <<EOT
{"Version": "2012-10-17"}
  EOF
}

role "r" {
  account = account.a
  name    = "R"
}
