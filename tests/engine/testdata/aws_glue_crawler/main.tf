provider "aws" {
  region = "us-east-1"
}

resource "aws_glue_crawler" "daily" {
  name          = "daily"
  database_name = "lake"
  role          = "arn:aws:iam::123456789012:role/glue"
  s3_target {
    path = "s3://bucket/raw"
  }
}

resource "aws_glue_crawler" "no_usage" {
  name          = "no-usage"
  database_name = "lake"
  role          = "arn:aws:iam::123456789012:role/glue"
  s3_target {
    path = "s3://bucket/raw"
  }
}
