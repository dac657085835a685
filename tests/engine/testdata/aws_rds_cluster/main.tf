provider "aws" {
  region = "us-east-1"
}

resource "aws_rds_cluster" "mysql" {
  engine                  = "aurora-mysql"
  backup_retention_period = 7
}

resource "aws_rds_cluster" "postgres_io_optimized" {
  engine       = "aurora-postgresql"
  storage_type = "aurora-iopt1"
}

resource "aws_rds_cluster" "serverless_v1" {
  engine      = "aurora-mysql"
  engine_mode = "serverless"
}

resource "aws_rds_cluster" "no_usage" {
  engine = "aurora-postgresql"
}

resource "aws_rds_cluster" "multi_az_mysql" {
  engine = "mysql"
}
