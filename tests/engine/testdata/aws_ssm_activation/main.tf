provider "aws" {
  region = "us-east-1"
}

resource "aws_ssm_activation" "standard" {
  name               = "standard"
  iam_role           = "arn:aws:iam::123456789012:role/ssm"
  registration_limit = 50
}

resource "aws_ssm_activation" "advanced_by_limit" {
  name               = "fleet"
  iam_role           = "arn:aws:iam::123456789012:role/ssm"
  registration_limit = 2000
}

resource "aws_ssm_activation" "advanced_by_usage" {
  name     = "lab"
  iam_role = "arn:aws:iam::123456789012:role/ssm"
}
