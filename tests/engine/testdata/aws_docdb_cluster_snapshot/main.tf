provider "aws" {
  region = "us-east-1"
}

resource "aws_docdb_cluster" "c" {
  cluster_identifier = "c"
}

resource "aws_docdb_cluster_snapshot" "with_usage" {
  db_cluster_identifier          = aws_docdb_cluster.c.id
  db_cluster_snapshot_identifier = "with-usage"
}

resource "aws_docdb_cluster_snapshot" "no_usage" {
  db_cluster_identifier          = aws_docdb_cluster.c.id
  db_cluster_snapshot_identifier = "no-usage"
}
