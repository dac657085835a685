provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudwatch_log_group" "standard" {
  name = "app"
}

resource "aws_cloudwatch_log_group" "infrequent" {
  name            = "audit"
  log_group_class = "INFREQUENT_ACCESS"
}

resource "aws_cloudwatch_log_group" "no_usage" {
  name = "idle"
}
