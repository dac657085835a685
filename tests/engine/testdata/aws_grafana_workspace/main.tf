provider "aws" {
  region = "us-east-1"
}

resource "aws_grafana_workspace" "team" {
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "SERVICE_MANAGED"
  role_arn                 = "arn:aws:iam::123456789012:role/grafana"
}

resource "aws_grafana_workspace" "no_usage" {
  account_access_type      = "CURRENT_ACCOUNT"
  authentication_providers = ["AWS_SSO"]
  permission_type          = "SERVICE_MANAGED"
  role_arn                 = "arn:aws:iam::123456789012:role/grafana"
}
