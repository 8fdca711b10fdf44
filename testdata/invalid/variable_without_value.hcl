variable "production_id" {
  type = string
}

account "production" {
  id = var.production_id
}
