provider "aws" {
  region = "us-east-1"
}

resource "aws_glue_catalog_database" "lake" {
  name = "lake"
}

resource "aws_glue_catalog_database" "small" {
  name = "small"
}

resource "aws_glue_catalog_database" "no_usage" {
  name = "no_usage"
}
