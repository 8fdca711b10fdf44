variable "app_bucket_policy" {
  type    = string
  default = null
}

account "production" {
  id = "999999999999"
}

policy "read_write_app_bucket" {
  account  = account.production
  name     = "read-write-app-bucket"
  document = var.app_bucket_policy
}
