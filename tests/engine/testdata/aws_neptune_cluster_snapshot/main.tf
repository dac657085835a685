provider "aws" {
  region = "us-east-1"
}

resource "aws_neptune_cluster" "kept" {
  cluster_identifier      = "kept"
  backup_retention_period = 7
}

resource "aws_neptune_cluster" "one_day" {
  cluster_identifier      = "one-day"
  backup_retention_period = 1
}

resource "aws_neptune_cluster_snapshot" "kept" {
  db_cluster_identifier          = aws_neptune_cluster.kept.id
  db_cluster_snapshot_identifier = "kept"
}

resource "aws_neptune_cluster_snapshot" "one_day" {
  db_cluster_identifier          = aws_neptune_cluster.one_day.id
  db_cluster_snapshot_identifier = "one-day"
}
