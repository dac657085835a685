provider "aws" {
  region = "us-east-1"
}

# only AWS:: resources: free
resource "aws_cloudformation_stack" "aws_only" {
  name = "network"
  template_body = jsonencode({
    Resources = { Vpc = { Type = "AWS::EC2::VPC", Properties = { CidrBlock = "10.0.0.0/16" } } }
  })
}

# third-party resource types: handler operations are charged
resource "aws_cloudformation_stack" "third_party" {
  name = "monitoring"
  template_body = jsonencode({
    Resources = { Monitor = { Type = "Datadog::Monitors::Monitor", Properties = {} } }
  })
}
