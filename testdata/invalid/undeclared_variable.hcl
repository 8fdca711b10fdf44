variable "production_id" {
  default = "999999999999"
}

account "production" {
  id = var.prodution_id
}
