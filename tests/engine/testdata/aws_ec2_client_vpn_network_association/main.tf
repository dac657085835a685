provider "aws" {
  region = "us-east-1"
}

resource "aws_ec2_client_vpn_network_association" "subnets" {
  for_each               = toset(["subnet-a", "subnet-b"])
  client_vpn_endpoint_id = "cvpn-endpoint-1"
  subnet_id              = each.key
}
