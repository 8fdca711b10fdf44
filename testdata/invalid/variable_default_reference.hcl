variable "region" {
  default = "eu-west-1"
}

variable "bucket" {
  type    = string
  default = "app-${var.region}"
}

variable "max_session" {
  type    = number
  default = "one hour"
}
