provider "aws" {
  region = "us-east-1"
}

resource "aws_efs_file_system" "standard_ia" {
  creation_token = "standard-ia"
  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }
}

resource "aws_efs_file_system" "one_zone_provisioned" {
  creation_token                  = "one-zone"
  availability_zone_name          = "us-east-1a"
  throughput_mode                 = "provisioned"
  provisioned_throughput_in_mibps = 50
}

resource "aws_efs_file_system" "no_usage" {
  creation_token = "idle"
}
