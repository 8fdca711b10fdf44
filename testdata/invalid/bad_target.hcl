stack "devprod" {
  target = "gcp"
}
