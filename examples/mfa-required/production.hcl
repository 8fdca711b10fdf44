# Production: the role, full administrator rights behind MFA.

role "admin" {
  account              = account.production
  name                 = "ProductionAdmin"
  description          = "Administrator access to Production, for the Identity account's Admins, with MFA."
  max_session_duration = 3600

  # The Identity account's own policies decide who may ask (the grant below);
  # whoever asks must have signed in with MFA: the statement holds the
  # condition Bool aws:MultiFactorAuthPresent = "true".
  trust {
    accounts    = [account.identity]
    require_mfa = true
  }

  managed_policies = ["arn:aws:iam::aws:policy/AdministratorAccess"]

  tags = {
    access = "break-glass"
  }
}
