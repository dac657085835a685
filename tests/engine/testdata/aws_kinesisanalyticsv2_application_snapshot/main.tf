provider "aws" {
  region = "us-east-1"
}

resource "aws_kinesisanalyticsv2_application_snapshot" "with_usage" {
  application_name = "flink"
  snapshot_name    = "with-usage"
}

resource "aws_kinesisanalyticsv2_application_snapshot" "no_usage" {
  application_name = "flink"
  snapshot_name    = "no-usage"
}
