account "production" {
  id = "999999999999"
}

policy "read_write_app_bucket" {
  account     = account.production
  name        = "read-write-app-bucket"
  description = local.read_write_app_bucket_description
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:aws:s3:::productionapp/*"]
  }
}

locals {
  # IAM allows 1000 characters, but trustform appends its ownership marker
  # to the description of a managed policy, so this one no longer fits.
  read_write_app_bucket_description = join(" ", [
    "Lets the Developers group of the development account (111111111111)",
    "read and write the objects of the productionapp bucket in the",
    "production account (999999999999), through the UpdateApp role.",
    "Developers assume UpdateApp with sts:AssumeRole after signing in to",
    "the development account with MFA; a session lasts one hour, after",
    "which they assume the role again. Testers do not get this policy: they",
    "read the bucket through the ReadApp role, which has no write access.",
    "The policy allows s3:GetObject and s3:PutObject on the objects of the",
    "bucket only: it does not allow listing the bucket, changing its policy",
    "or deleting it. Before adding actions or resources, have the change",
    "reviewed by the security team, and record why in the change request.",
    "Questions about this policy go to the platform team, which owns the",
    "trustform stack that manages it and the production account's roles.",
    "Last reviewed by the security team in March; the next review is due in",
    "September, or sooner if the role changes.",
  ])
}
