provider "aws" {
  region = "us-east-1"
}

resource "aws_ec2_traffic_mirror_session" "inspect" {
  network_interface_id     = "eni-source"
  session_number           = 1
  traffic_mirror_filter_id = "tmf-1"
  traffic_mirror_target_id = "tmt-1"
}
