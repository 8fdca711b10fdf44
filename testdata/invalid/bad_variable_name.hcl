variable "production.id" {
  default = "999999999999"
}
