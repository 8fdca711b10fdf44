# A stack for the access kit and graph tests: MFA, an ExternalId, a path,
# a service principal, a role trusted by a role and a user, roles of the
# same name in several accounts, and a trust_document that denies sessions
# without MFA.

stack "conditions" {
  target = "local"
}

account "security" {
  id = "333333333333"
}

account "tooling" {
  id = "222222222222"
}

account "member" {
  for_each = { a = "444444444444", b = "555555555555" }
  id       = each.value
}

group "ops" {
  account = account.tooling
  name    = "Ops"
}

user "ci_bot" {
  account = account.tooling
  name    = "ci-bot"
  path    = "/automation/"
  groups  = [group.ops]
}

# Only CodeBuild assumes it: no person can switch to it.
role "ci" {
  account = account.tooling
  name    = "CI"
  trust {
    services = ["codebuild.amazonaws.com"]
  }
}

# A third party outside the stack, with the ExternalId it must pass.
role "vendor" {
  account              = account.security
  name                 = "VendorRead"
  path                 = "/third-party/"
  max_session_duration = 7200
  trust {
    principals  = ["arn:aws:iam::666666666666:root"]
    external_id = "vendor-2024"
  }
}

role "audit" {
  for_each = account.member
  account  = each.value
  name     = "Audit"
  trust {
    principals  = [role.ci, user.ci_bot]
    require_mfa = true
  }
}

role "breakglass" {
  account = account.security
  name    = "BreakGlass"
  trust {
    accounts    = [account.tooling]
    require_mfa = true
  }
}

# Written as IAM JSON: an allow for the tooling account and a deny for any
# session without MFA.
role "legacy" {
  account = account.security
  name    = "Legacy"
  trust_document = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::222222222222:root" }
        Action    = "sts:AssumeRole"
      },
      {
        Effect    = "Deny"
        Principal = { AWS = "*" }
        Action    = "sts:AssumeRole"
        Condition = { BoolIfExists = { "aws:MultiFactorAuthPresent" = "false" } }
      },
    ]
  })
}

grant "ops_audit" {
  to    = [group.ops]
  roles = values(role.audit)
}

grant "ops_breakglass" {
  to    = [group.ops]
  roles = [role.breakglass, role.legacy]
}

deny "bot_breakglass" {
  to    = [user.ci_bot]
  roles = [role.breakglass]
}
