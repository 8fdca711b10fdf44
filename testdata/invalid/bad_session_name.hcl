account "production" {
  id = "999999999999"
  assume_role {
    role_arn     = "arn:aws:iam::999999999999:role/OrganizationAccountAccessRole"
    session_name = "trustform apply"
  }
}
