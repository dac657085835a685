provider "aws" {
  region = "us-east-1"
}

# only AWS:: resources: free
resource "aws_cloudformation_stack_set" "aws_only" {
  name = "network"
  administration_role_arn = "arn:aws:iam::123456789012:role/admin"
  template_body = jsonencode({
    Resources = { Vpc = { Type = "AWS::EC2::VPC", Properties = { CidrBlock = "10.0.0.0/16" } } }
  })
}

# third-party resource types: handler operations are charged
resource "aws_cloudformation_stack_set" "third_party" {
  name = "monitoring"
  administration_role_arn = "arn:aws:iam::123456789012:role/admin"
  template_body = jsonencode({
    Resources = { Monitor = { Type = "Datadog::Monitors::Monitor", Properties = {} } }
  })
}
