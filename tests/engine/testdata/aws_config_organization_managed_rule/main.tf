provider "aws" {
  region = "us-east-1"
}

resource "aws_config_organization_managed_rule" "busy" {
  name = "busy"
  rule_identifier = "IAM_PASSWORD_POLICY"
}

resource "aws_config_organization_managed_rule" "no_usage" {
  name = "idle"
  rule_identifier = "IAM_PASSWORD_POLICY"
}
