# The dev/prod setup of AWS's IAM tutorial "Delegate access across AWS accounts
# using IAM roles": Production lets Development's developers update the
# productionapp bucket through the UpdateApp role; testers may not.

stack "devprod" {
  target = "local"
}

variable "production_id" {
  type        = string
  default     = "999999999999"
  description = "The Production account, which holds the bucket and the role."
}

variable "development_id" {
  type        = string
  default     = "111111111111"
  description = "The Development account, whose people assume the role."
}

locals {
  bucket = "productionapp"
}

account "production" {
  id = var.production_id
}

account "development" {
  id = var.development_id
}
