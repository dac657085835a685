provider "aws" {
  region = "us-east-1"
}

resource "aws_neptune_cluster" "standard" {
  cluster_identifier      = "graph"
  backup_retention_period = 5
}

resource "aws_neptune_cluster" "io_optimized" {
  cluster_identifier = "graph-iopt"
  storage_type       = "iopt1"
}

resource "aws_neptune_cluster" "no_usage" {
  cluster_identifier = "graph-empty"
}
