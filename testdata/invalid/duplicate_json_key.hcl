# A key named twice in one JSON object: a decoder keeps one value (the plan
# showed "Allow") while IAM is sent the text with both. Refused, naming the
# key and where it is, at every level.
account "production" {
  id = "999999999999"
}

policy "two_effects" {
  account  = account.production
  name     = "TwoEffects"
  document = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"
}

role "second_condition" {
  account        = account.production
  name           = "SecondCondition"
  trust_document = <<-JSON
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        "Condition": {}
      }]
    }
  JSON
}
