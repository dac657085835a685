provider "aws" {
  region = "us-east-1"
}

resource "aws_fsx_openzfs_file_system" "fs" {
  storage_capacity    = 200
  throughput_capacity = 64
  subnet_ids          = ["subnet-1"]
  deployment_type     = "SINGLE_AZ_1"
  disk_iops_configuration {
    mode = "USER_PROVISIONED"
    iops = 1000
  }
}
