stack "dev prod" {
  target = "local"
}
