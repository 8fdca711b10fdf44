role "update_app" {
  account = "999999999999"
  name    = "UpdateApp"
  trust {
    services = ["ec2.amazonaws.com"]
  }
}
