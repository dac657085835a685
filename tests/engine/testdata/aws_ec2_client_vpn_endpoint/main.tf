provider "aws" {
  region = "us-east-1"
}

resource "aws_ec2_client_vpn_endpoint" "remote" {
  server_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/server"
  client_cidr_block      = "10.100.0.0/16"

  authentication_options {
    type                       = "certificate-authentication"
    root_certificate_chain_arn = "arn:aws:acm:us-east-1:123456789012:certificate/root"
  }

  connection_log_options {
    enabled = false
  }
}
