provider "aws" {
  region = "us-east-1"
}

resource "aws_vpc_endpoint" "s3_gateway" {
  vpc_id       = "vpc-1"
  service_name = "com.amazonaws.us-east-1.s3"
}

# Two subnets: two network interfaces, each billed per hour. 1.5 PB processed crosses the
# first 1 PB tier.
resource "aws_vpc_endpoint" "interface_two_subnets" {
  vpc_id            = "vpc-1"
  service_name      = "com.amazonaws.us-east-1.ecr.api"
  vpc_endpoint_type = "Interface"
  subnet_ids        = ["subnet-a", "subnet-b"]
}

resource "aws_vpc_endpoint" "interface_no_subnets" {
  vpc_id            = "vpc-1"
  service_name      = "com.amazonaws.us-east-1.sts"
  vpc_endpoint_type = "Interface"
}

resource "aws_vpc_endpoint" "gateway_load_balancer" {
  vpc_id            = "vpc-1"
  service_name      = "com.amazonaws.vpce.us-east-1.vpce-svc-123"
  vpc_endpoint_type = "GatewayLoadBalancer"
  subnet_ids        = ["subnet-a"]
}
