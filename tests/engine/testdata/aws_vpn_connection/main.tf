provider "aws" {
  region = "us-east-1"
}

resource "aws_ec2_transit_gateway" "hub" {
  description = "hub"
}

resource "aws_vpn_connection" "to_vpn_gateway" {
  customer_gateway_id = "cgw-1"
  vpn_gateway_id      = "vgw-1"
  type                = "ipsec.1"
}

# On a transit gateway: the VPN attachment's hours and data processing too.
resource "aws_vpn_connection" "to_transit_gateway" {
  customer_gateway_id = "cgw-1"
  transit_gateway_id  = aws_ec2_transit_gateway.hub.id
  type                = "ipsec.1"
}
