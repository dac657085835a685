provider "aws" {
  region = "us-east-1"
}

resource "aws_globalaccelerator_accelerator" "no_usage" {
  name            = "idle"
  ip_address_type = "IPV4"
  enabled         = true
}

# Inbound (1,700 GB) outweighs outbound (900 GB): the premium is on inbound only.
resource "aws_globalaccelerator_accelerator" "busy" {
  name            = "busy"
  ip_address_type = "IPV4"
  enabled         = true
}
