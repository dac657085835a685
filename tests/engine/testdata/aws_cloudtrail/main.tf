provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudtrail" "org" {
  name           = "org"
  s3_bucket_name = "trail-logs"
  insight_selector {
    insight_type = "ApiCallRateInsight"
  }
}

resource "aws_cloudtrail" "data_only" {
  name                          = "data-only"
  s3_bucket_name                = "trail-logs"
  include_global_service_events = false
  event_selector {
    read_write_type           = "All"
    include_management_events = false
    data_resource {
      type   = "AWS::S3::Object"
      values = ["arn:aws:s3"]
    }
  }
}

resource "aws_cloudtrail" "no_usage" {
  name           = "idle"
  s3_bucket_name = "trail-logs"
}
