provider "aws" {
  region = "us-east-1"
}

resource "aws_lightsail_instance" "linux" {
  name              = "linux"
  availability_zone = "us-east-1a"
  blueprint_id      = "ubuntu_22_04"
  bundle_id         = "medium_3_0"
}

resource "aws_lightsail_instance" "windows" {
  name              = "windows"
  availability_zone = "us-east-1a"
  blueprint_id      = "windows_server_2022"
  bundle_id         = "small_win_3_0"
}

resource "aws_lightsail_instance" "ipv6_only" {
  name              = "ipv6"
  availability_zone = "us-east-1a"
  blueprint_id      = "ubuntu_22_04"
  bundle_id         = "nano_ipv6_3_0"
}

resource "aws_lightsail_instance" "unknown_bundle" {
  name              = "unknown"
  availability_zone = "us-east-1a"
  blueprint_id      = "ubuntu_22_04"
  bundle_id         = "jumbo_1_0"
}
