provider "aws" {
  region = "us-east-1"
}

resource "aws_s3_bucket" "b" {
  bucket = "inventoried"
}

resource "aws_s3_bucket_inventory" "daily" {
  bucket                   = aws_s3_bucket.b.id
  name                     = "daily"
  included_object_versions = "All"
  schedule {
    frequency = "Daily"
  }
  destination {
    bucket {
      format     = "CSV"
      bucket_arn = "arn:aws:s3:::reports"
    }
  }
}

resource "aws_s3_bucket_inventory" "no_usage" {
  bucket                   = aws_s3_bucket.b.id
  name                     = "weekly"
  included_object_versions = "Current"
  schedule {
    frequency = "Weekly"
  }
  destination {
    bucket {
      format     = "CSV"
      bucket_arn = "arn:aws:s3:::reports"
    }
  }
}
