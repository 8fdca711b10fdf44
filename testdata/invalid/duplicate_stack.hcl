stack "app" {
  target = "local"
}

stack "app" {
  target = "aws"
}
