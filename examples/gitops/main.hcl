# The dev/prod setup of AWS's IAM tutorial "Delegate access across AWS accounts
# using IAM roles" (the same stack as examples/dev-prod), run from a GitOps
# pipeline: workflows/trustform.yml plans it on every pull request, applies it
# when the pull request is merged to main, and checks the accounts for drift
# every day.
#
# The target stays "local" so that the example runs anywhere (and in this
# repository's tests); the pipeline passes --target aws and
# --assume-role-name.

stack "gitops" {
  target = "local"

  # apply refuses a plan that lets anyone assume a role they could not assume
  # before (or with fewer conditions) unless it is given -allow-broadening.
  # The pipeline passes that flag only for a pull request labelled
  # access-broadening-approved.
  require_approval = "broadening"
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
