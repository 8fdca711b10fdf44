# An organisation of many accounts: every member account gets an Audit role
# that the security account's Auditor role may assume (role chaining), with
# MFA required of people.

account "security" {
  id = var.security_id
}

account "member" {
  for_each = var.members
  id       = each.value
}

role "auditor" {
  account = account.security
  name    = "Auditor"
  path    = "/security/"
  trust {
    accounts    = [account.security]
    require_mfa = true
  }
  managed_policies = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}

policy "audit" {
  for_each = account.member
  account  = each.value
  name     = "audit-${each.key}"
  document = file("policies/readonly.json")
}

role "audit" {
  for_each             = account.member
  account              = each.value
  name                 = "Audit"
  max_session_duration = var.max_session
  trust {
    principals = [role.auditor]
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/team"
      values   = ["security"]
    }
  }
  managed_policies = [policy.audit[each.key]]
  tags             = { team = "security", account = each.key }
}

role "vendor" {
  account = account.security
  name    = "VendorRead"
  trust {
    principals  = ["arn:aws:iam::222222222222:root"]
    external_id = var.vendor_external_id
  }
  inline_policy "read" {
    statement {
      sid       = "ReadReports"
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::reports/*"]
      condition {
        test     = "Bool"
        variable = "aws:SecureTransport"
        values   = ["true"]
      }
    }
  }
}

group "auditors" {
  account = account.security
  name    = "Auditors"
}

user "alice" {
  account = account.security
  name    = "alice"
  path    = "/people/"
  groups  = [group.auditors]
  tags    = { team = "security" }
}

grant "auditors" {
  to    = [group.auditors]
  roles = [role.auditor]
}

grant "auditor_chain" {
  to    = [role.auditor]
  roles = values(role.audit)
}

expect "alice_audits" {
  principal  = user.alice
  can_assume = role.auditor
}

expect "only_auditor" {
  for_each          = role.audit
  role              = each.value
  assumable_only_by = [role.auditor]
}
