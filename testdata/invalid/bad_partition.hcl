account "production" {
  id        = "999999999999"
  partition = "us-gov"
}
