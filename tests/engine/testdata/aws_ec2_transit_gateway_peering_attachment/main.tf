provider "aws" {
  region = "us-east-1"
}

resource "aws_ec2_transit_gateway_peering_attachment" "to_oregon" {
  peer_region             = "us-west-2"
  peer_transit_gateway_id = "tgw-peer"
  transit_gateway_id      = "tgw-local"
}
