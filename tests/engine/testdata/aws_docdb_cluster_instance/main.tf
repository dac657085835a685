provider "aws" {
  region = "us-east-1"
}

resource "aws_docdb_cluster" "standard" {
  cluster_identifier = "standard"
}

resource "aws_docdb_cluster" "io_optimized" {
  cluster_identifier = "iopt"
  storage_type       = "iopt1"
}

resource "aws_docdb_cluster_instance" "r5" {
  cluster_identifier = aws_docdb_cluster.standard.id
  instance_class     = "db.r5.large"
}

resource "aws_docdb_cluster_instance" "t3" {
  cluster_identifier = aws_docdb_cluster.standard.id
  instance_class     = "db.t3.medium"
}

resource "aws_docdb_cluster_instance" "io_optimized" {
  cluster_identifier = aws_docdb_cluster.io_optimized.id
  instance_class     = "db.r6g.large"
}
