variable "security_id" {
  type        = string
  description = "The account people sign in to."
}

variable "members" {
  type    = map(string)
  default = {}
}

variable "vendor_external_id" {
  type = string
}

variable "max_session" {
  type    = number
  default = 3600
}
