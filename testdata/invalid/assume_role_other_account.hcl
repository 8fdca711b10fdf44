account "production" {
  id = "999999999999"
  assume_role {
    role_arn = "arn:aws:iam::999999999999:role/OrganizationAccountAccessRole"
  }
}

account "development" {
  id = "111111111111"
  assume_role {
    role_arn = "arn:aws:iam::999999999999:role/OrganizationAccountAccessRole"
  }
}
