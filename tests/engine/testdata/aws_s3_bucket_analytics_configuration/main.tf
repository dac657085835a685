provider "aws" {
  region = "us-east-1"
}

resource "aws_s3_bucket" "b" {
  bucket = "analysed"
}

resource "aws_s3_bucket_analytics_configuration" "whole_bucket" {
  bucket = aws_s3_bucket.b.id
  name   = "whole-bucket"
}

resource "aws_s3_bucket_analytics_configuration" "no_usage" {
  bucket = aws_s3_bucket.b.id
  name   = "prefix"
}
