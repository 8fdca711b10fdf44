variable "production_id" {
  default = "999999999999"
}

variable "production_id" {
  default = "111111111111"
}

account "production" {
  id = var.production_id
}
