# A role that trusts each of a vendor's roles one by one: the trust policy
# outgrows IAM's 2,048 characters (ACLSizePerRole).
account "production" {
  id = "999999999999"
}

locals {
  vendor_roles = [for i in range(40) : "arn:aws:iam::222222222222:role/vendor-auditor-${i}"]
}

role "vendor_audit" {
  account = account.production
  name    = "VendorAudit"
  trust {
    principals  = local.vendor_roles
    external_id = "vendor-audit-2024"
  }
}
