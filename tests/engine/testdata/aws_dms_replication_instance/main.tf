provider "aws" {
  region = "us-east-1"
}

resource "aws_dms_replication_instance" "small" {
  replication_instance_id    = "small"
  replication_instance_class = "dms.t3.medium"
  allocated_storage          = 30
}

resource "aws_dms_replication_instance" "multi_az" {
  replication_instance_id    = "multi-az"
  replication_instance_class = "dms.c5.large"
  allocated_storage          = 250
  multi_az                   = true
}

resource "aws_dms_replication_instance" "default_storage" {
  replication_instance_id    = "default-storage"
  replication_instance_class = "dms.r6i.large"
}
