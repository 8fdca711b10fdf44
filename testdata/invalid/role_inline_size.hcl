# Two large inline policies and a grant to the role itself add up to more than
# the 10,240 characters IAM allows for a role's inline policies together.
account "production" {
  id = "999999999999"
}

role "deployer" {
  account = account.production
  name    = "Deployer"
  trust {
    accounts = [account.production]
  }
  inline_policy "buckets" {
    statement {
      actions   = ["s3:GetObject", "s3:PutObject"]
      resources = [for i in range(120) : "arn:aws:s3:::deploy-artifacts-${i}/*"]
    }
  }
  inline_policy "queues" {
    statement {
      actions   = ["sqs:SendMessage"]
      resources = [for i in range(120) : "arn:aws:sqs:eu-west-1:999999999999:deploy-${i}"]
    }
  }
}

role "release" {
  account = account.production
  name    = "Release"
  trust {
    accounts = [account.production]
  }
}

grant "deployer_release" {
  to    = [role.deployer]
  roles = [role.release]
}
