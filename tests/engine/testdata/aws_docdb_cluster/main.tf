provider "aws" {
  region = "us-east-1"
}

resource "aws_docdb_cluster" "kept_a_week" {
  cluster_identifier      = "docs"
  backup_retention_period = 7
}

resource "aws_docdb_cluster" "default_retention" {
  cluster_identifier = "docs-default"
}
