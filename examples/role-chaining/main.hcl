# Role chaining: the CI pipeline's Deployer role in the Tooling account
# assumes the ProductionDeploy role in Production. Production trusts that one
# role, not the Tooling account, so nobody else in Tooling can get in — not
# even a developer whose own policies allow sts:AssumeRole on any role.

stack "rolechain" {
  target = "local"
}

variable "tooling_id" {
  type        = string
  default     = "222222222222"
  description = "The Tooling account, where the CI pipeline runs as the Deployer role."
}

variable "production_id" {
  type        = string
  default     = "999999999999"
  description = "The Production account, which holds the role the pipeline deploys with."
}

locals {
  app = "checkout"
}

account "tooling" {
  id = var.tooling_id
}

account "production" {
  id = var.production_id
}
