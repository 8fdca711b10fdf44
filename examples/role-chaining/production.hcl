# Production: the destination role, trusted by exactly one principal.

role "destination" {
  account     = account.production
  name        = "ProductionDeploy"
  description = "Deploys ${local.app}; assumable only by Tooling's CI Deployer role."

  # One specific role, not the Tooling account: Tooling's own IAM policies
  # cannot widen this to anybody else.
  trust {
    principals = [role.source]
  }

  inline_policy "deploy" {
    statement {
      sid       = "UpdateFunctions"
      actions   = ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PublishVersion"]
      resources = ["arn:aws:lambda:*:${account.production.id}:function:${local.app}-*"]
    }
    statement {
      sid       = "ReadArtifacts"
      actions   = ["s3:GetObject"]
      resources = ["arn:aws:s3:::${local.app}-artifacts/*"]
    }
  }

  tags = {
    app = local.app
  }
}

expect "source_can_assume" {
  principal  = role.source
  can_assume = role.destination
}

expect "developer_cannot_assume" {
  principal     = user.dana
  cannot_assume = role.destination
}

expect "only_the_source_role" {
  role              = role.destination
  assumable_only_by = [role.source]
}
