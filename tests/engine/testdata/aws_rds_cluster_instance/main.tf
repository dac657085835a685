provider "aws" {
  region = "us-east-1"
}

resource "aws_rds_cluster" "std" {
  engine = "aurora-postgresql"
}

resource "aws_rds_cluster" "iopt" {
  engine       = "aurora-mysql"
  storage_type = "aurora-iopt1"
}

resource "aws_rds_cluster_instance" "postgres" {
  cluster_identifier = aws_rds_cluster.std.id
  instance_class     = "db.r6g.large"
  engine             = aws_rds_cluster.std.engine
}

resource "aws_rds_cluster_instance" "io_optimized" {
  count              = 2
  cluster_identifier = aws_rds_cluster.iopt.id
  instance_class     = "db.r5.large"
}

resource "aws_rds_cluster_instance" "serverless_v2" {
  cluster_identifier = aws_rds_cluster.std.id
  instance_class     = "db.serverless"
  engine             = "aurora-postgresql"
}

resource "aws_rds_cluster_instance" "extended_support" {
  cluster_identifier = aws_rds_cluster.std.id
  instance_class     = "db.r5.large"
  engine             = "aurora-postgresql"
  engine_version     = "11.21"
}

resource "aws_rds_cluster_instance" "reserved" {
  cluster_identifier = aws_rds_cluster.std.id
  instance_class     = "db.r6g.large"
  engine             = "aurora-postgresql"
}
