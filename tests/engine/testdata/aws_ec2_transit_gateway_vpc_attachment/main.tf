provider "aws" {
  region = "us-east-1"
}

resource "aws_ec2_transit_gateway_vpc_attachment" "no_usage" {
  subnet_ids         = ["subnet-a"]
  transit_gateway_id = "tgw-1"
  vpc_id             = "vpc-1"
}

resource "aws_ec2_transit_gateway_vpc_attachment" "with_usage" {
  subnet_ids         = ["subnet-b"]
  transit_gateway_id = "tgw-1"
  vpc_id             = "vpc-2"
}
