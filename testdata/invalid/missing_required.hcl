account "production" {
  partition = "aws"
}

role "update_app" {
  name = "UpdateApp"
  trust {
    services = ["ec2.amazonaws.com"]
  }
}
