# Your account: the role for the vendor, and your own administrators, who
# exist already (see local-seed.json for the local target).

role "vendor_audit" {
  account              = account.ours
  name                 = "AcmeScannerAudit"
  description          = "Read-only configuration audit by Acme Scanner (account ${account.vendor.id})."
  max_session_duration = 3600

  # The vendor's account root: the vendor's own IAM policies decide which of
  # its principals may call sts:AssumeRole, and every call must carry the
  # ExternalId (a StringEquals sts:ExternalId condition).
  trust {
    accounts    = [account.vendor]
    external_id = var.vendor_external_id
  }

  managed_policies = ["arn:aws:iam::aws:policy/SecurityAudit"]

  tags = {
    vendor = "acme-scanner"
  }
}

group "admins" {
  account  = account.ours
  name     = "Admins"
  existing = true
}

user "olivia" {
  account  = account.ours
  name     = "Olivia"
  groups   = [group.admins]
  existing = true
}

# Olivia has AdministratorAccess, which allows sts:AssumeRole on any role; but
# the trust policy names only the vendor's account, so the vendor's role is no
# way into your account for your own people.
expect "admin_cannot_use_vendor_role" {
  principal     = user.olivia
  cannot_assume = role.vendor_audit
}
