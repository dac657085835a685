provider "aws" {
  region = "us-east-1"
}

resource "aws_dx_connection" "ashburn" {
  name      = "ashburn-1g"
  bandwidth = "1Gbps"
  location  = "EqDC2"
}

# A hosted connection (usage file) at CoreSite Reston.
resource "aws_dx_connection" "reston_hosted" {
  name      = "reston-500m"
  bandwidth = "500Mbps"
  location  = "CSVA1"
}

resource "aws_dx_connection" "unmapped_location" {
  name      = "elsewhere"
  bandwidth = "10Gbps"
  location  = "XyZ99"
}
