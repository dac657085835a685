provider "aws" {
  region = "us-east-1"
}

resource "aws_globalaccelerator_endpoint_group" "ireland" {
  listener_arn          = "arn:aws:globalaccelerator::123456789012:accelerator/a/listener/l"
  endpoint_group_region = "eu-west-1"
}

resource "aws_globalaccelerator_endpoint_group" "virginia_no_usage" {
  listener_arn = "arn:aws:globalaccelerator::123456789012:accelerator/a/listener/l"
}
