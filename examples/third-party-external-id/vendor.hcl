# The vendor's side, which the vendor set up and the stack only looks at: the
# identity its scanner runs as, allowed by the vendor's own policy to assume
# any customer's AcmeScannerAudit role (see local-seed.json for the local
# target). It is declared with existing = true, so the stack never creates,
# changes or deletes it.

user "acme_scanner" {
  account  = account.vendor
  name     = "acme-scanner"
  existing = true
}

# The scanner can assume the role — with the ExternalId, which the plan says.
expect "vendor_can_assume" {
  principal  = user.acme_scanner
  can_assume = role.vendor_audit
}

# Nobody else in the declared accounts can: not your administrators, not any
# other principal of the vendor.
expect "only_the_vendor" {
  role              = role.vendor_audit
  assumable_only_by = [user.acme_scanner]
}
