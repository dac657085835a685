provider "aws" {
  region = "us-east-1"
}

resource "aws_ec2_transit_gateway" "hub" {
  description = "hub"
}

resource "aws_vpn_gateway" "vgw" {
  vpc_id = "vpc-1"
}

resource "aws_dx_gateway_association" "transit" {
  dx_gateway_id         = "dxgw-1"
  associated_gateway_id = aws_ec2_transit_gateway.hub.id
  allowed_prefixes      = ["10.0.0.0/16"]
}

resource "aws_dx_gateway_association" "transit_no_usage" {
  dx_gateway_id         = "dxgw-2"
  associated_gateway_id = "tgw-0123456789"
}

resource "aws_dx_gateway_association" "virtual_private_gateway" {
  dx_gateway_id         = "dxgw-1"
  associated_gateway_id = aws_vpn_gateway.vgw.id
}
