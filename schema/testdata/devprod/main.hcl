stack "devprod" {
  target           = "local"                          # "local" (default): embedded simulation under .trustform/ ; "aws"
  assume_role_name = "OrganizationAccountAccessRole"  # aws: how the base identity reaches accounts with no credentials set
}

variable "production_id" {
  default = "999999999999"
}

locals {
  bucket = "productionapp"
}

account "development" {
  id = "111111111111"                                 # partition = "aws" by default
}

account "production" {
  id = var.production_id
  # aws target only, all optional (else the default credential chain: env, SSO, web identity, profile):
  profile = "prod-admin"
  assume_role {
    role_arn    = "arn:aws:iam::999999999999:role/OrganizationAccountAccessRole"
    external_id = "..."
  }
}

# existing = true: declared but not owned — never created, changed or deleted; only the stack's own grant/deny
# inline policies are added to and removed from it
group "developers" {
  account  = account.development
  name     = "Developers"
  existing = true
}

group "testers" {
  account  = account.development
  name     = "Testers"
  existing = true
}

user "david" {
  account  = account.development
  name     = "David"
  groups   = [group.developers]
  existing = true
}

user "tess" {
  account  = account.development
  name     = "Tess"
  groups   = [group.testers]
  existing = true
}

policy "read_write_app_bucket" {                      # customer-managed policy
  account = account.production
  name    = "read-write-app-bucket"
  statement {
    actions   = ["s3:ListAllMyBuckets"]
    resources = ["*"]
  }
  statement {
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = ["arn:aws:s3:::${local.bucket}"]
  }
  statement {
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:aws:s3:::${local.bucket}/*"]
  }
  # or: document = file("policies/rw.json")   (statement blocks and document are exclusive)
}

role "update_app" {
  account              = account.production
  name                 = "UpdateApp"
  max_session_duration = 3600
  trust {
    accounts    = [account.development]   # the account's root principal: its own IAM policies decide who
    principals  = []                      # or specific users/roles (references or ARNs)
    require_mfa = false
    external_id = null                    # third parties: a required sts:ExternalId
  }
  managed_policies = [policy.read_write_app_bucket]   # references or ARNs (arn:aws:iam::aws:policy/...)
  inline_policy "notes" {
    statement {
      actions   = ["s3:ListBucket"]
      resources = ["arn:aws:s3:::${local.bucket}"]
    }
  }
  tags = { team = "platform" }
}

grant "developers_update_app" {                       # inline Allow sts:AssumeRole on each principal in `to`
  to    = [group.developers]                          # groups, users or roles
  roles = [role.update_app]
}

deny "testers_update_app" {                           # inline Deny sts:AssumeRole
  to    = [group.testers]
  roles = [role.update_app]
}

expect "david_can_update" {
  principal  = user.david
  can_assume = role.update_app
}

expect "tess_cannot_update" {
  principal     = user.tess
  cannot_assume = role.update_app
}

expect "only_developers" {
  role              = role.update_app
  assumable_only_by = [group.developers]              # nobody outside this set can assume it
}
