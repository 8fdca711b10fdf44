# Tooling: the source role, and the people who are already there.

# The role the CI pipeline's build jobs run as (CodeBuild here; any service or
# federated identity would do). It is the first link of the chain.
role "source" {
  account     = account.tooling
  name        = "Deployer"
  path        = "/ci/"
  description = "The CI pipeline's build role; deploys ${local.app} through ProductionDeploy."

  trust {
    services = ["codebuild.amazonaws.com"]
  }

  tags = {
    app = local.app
  }
}

# The second link: the source role's own policy must allow sts:AssumeRole on
# the destination, or the trust policy alone is not enough across accounts.
grant "source_to_production" {
  to    = [role.source]
  roles = [role.destination]
}

# Developers exist already (see local-seed.json for the local target), with
# AWS's PowerUserAccess, which allows sts:AssumeRole on any role.
group "developers" {
  account  = account.tooling
  name     = "Developers"
  existing = true
}

user "dana" {
  account  = account.tooling
  name     = "Dana"
  groups   = [group.developers]
  existing = true
}
