#!/usr/bin/env bash
# Creates in the Development account what the tutorial assumes exists before
# trustform runs — the groups Developers and Testers with AWS's PowerUserAccess,
# David in Developers, Tess in Testers — the same objects local-seed.json gives
# the local target. It uses the aws CLI with the caller's credentials, assuming
# OrganizationAccountAccessRole (or $ASSUME_ROLE_NAME) in the account, as
# trustform's --assume-role-name does. Safe to run twice: existing objects are kept.
set -euo pipefail

account=${DEVELOPMENT_ID:-111111111111}
role=${ASSUME_ROLE_NAME:-OrganizationAccountAccessRole}

read -r key secret token < <(aws sts assume-role \
  --role-arn "arn:aws:iam::${account}:role/${role}" \
  --role-session-name trustform-seed \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token

ignore_existing() { "$@" 2>/dev/null || true; }

for group in Developers Testers; do
  ignore_existing aws iam create-group --group-name "$group" >/dev/null
  aws iam attach-group-policy --group-name "$group" --policy-arn arn:aws:iam::aws:policy/PowerUserAccess
done
ignore_existing aws iam create-user --user-name David >/dev/null
ignore_existing aws iam create-user --user-name Tess >/dev/null
aws iam add-user-to-group --user-name David --group-name Developers
aws iam add-user-to-group --user-name Tess --group-name Testers
echo "account ${account}: groups Developers and Testers (PowerUserAccess), David in Developers, Tess in Testers"
