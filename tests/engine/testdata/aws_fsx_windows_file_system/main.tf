provider "aws" {
  region = "us-east-1"
}

resource "aws_fsx_windows_file_system" "fs" {
  storage_capacity    = 300
  throughput_capacity = 32
  subnet_ids          = ["subnet-1"]
  deployment_type     = "SINGLE_AZ_2"
}
