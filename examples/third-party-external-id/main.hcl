# A third party — here a security-scanning vendor — reads your account's
# configuration through a role you create for it. The vendor's account is
# trusted, but only together with the ExternalId the vendor gave you for your
# tenancy with them: without it, sts:AssumeRole is refused.

stack "vendoraccess" {
  target = "local"
}

variable "our_id" {
  type        = string
  default     = "123456789012"
  description = "Your account, which holds the role the vendor assumes."
}

variable "vendor_id" {
  type        = string
  default     = "777777777777"
  description = "The vendor's account, from the vendor's onboarding instructions."
}

variable "vendor_external_id" {
  type        = string
  default     = "acme-tenant-4f9c2a71"
  description = "The ExternalId the vendor issued for your tenancy. It is not a secret, but it must be unique to you."
}

account "ours" {
  id = var.our_id
}

# The vendor's account. The stack owns nothing in it: it is declared so that
# the trust policy can name it, and so that the expectations can look at the
# vendor's side (see vendor.hcl).
account "vendor" {
  id = var.vendor_id
}
