# An administrator role in Production that people from the Identity account
# may assume only after signing in with MFA. The trust policy carries the
# condition (require_mfa = true); the Admins group's grant says who may ask.

stack "mfaadmin" {
  target = "local"
}

variable "identity_id" {
  type        = string
  default     = "333333333333"
  description = "The Identity account, where people have their IAM users."
}

variable "production_id" {
  type        = string
  default     = "999999999999"
  description = "The Production account, which holds the administrator role."
}

account "identity" {
  id = var.identity_id
}

account "production" {
  id = var.production_id
}
