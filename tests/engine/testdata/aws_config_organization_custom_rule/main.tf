provider "aws" {
  region = "us-east-1"
}

resource "aws_config_organization_custom_rule" "busy" {
  name = "busy"
  lambda_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:rule"
  trigger_types       = ["ConfigurationItemChangeNotification"]
}

resource "aws_config_organization_custom_rule" "no_usage" {
  name = "idle"
  lambda_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:rule"
  trigger_types       = ["ConfigurationItemChangeNotification"]
}
