provider "aws" {
  region = "us-east-1"
}

resource "aws_s3_bucket" "all_classes" {
  bucket = "all-classes"
}

# a lifecycle rule moving objects to Glacier shows that class without usage
resource "aws_s3_bucket" "lifecycle" {
  bucket = "lifecycle"

  lifecycle_rule {
    enabled = true
    transition {
      days          = 90
      storage_class = "GLACIER"
    }
  }
}

resource "aws_s3_bucket" "no_usage" {
  bucket = "idle"
}
