provider "aws" {
  region = "us-east-1"
}

resource "aws_neptune_cluster" "c" {
  cluster_identifier = "graph"
}

resource "aws_neptune_cluster" "iopt" {
  cluster_identifier = "graph-iopt"
  storage_type       = "iopt1"
}

resource "aws_neptune_cluster_instance" "r5" {
  count              = 2
  cluster_identifier = aws_neptune_cluster.c.id
  instance_class     = "db.r5.large"
}

resource "aws_neptune_cluster_instance" "t3" {
  cluster_identifier = aws_neptune_cluster.c.id
  instance_class     = "db.t3.medium"
}

resource "aws_neptune_cluster_instance" "io_optimized" {
  cluster_identifier = aws_neptune_cluster.iopt.id
  instance_class     = "db.r5.large"
}

resource "aws_neptune_cluster_instance" "serverless" {
  cluster_identifier = aws_neptune_cluster.c.id
  instance_class     = "db.serverless"
}
