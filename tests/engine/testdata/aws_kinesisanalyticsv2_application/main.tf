provider "aws" {
  region = "us-east-1"
}

resource "aws_kinesisanalyticsv2_application" "flink" {
  name                   = "flink"
  runtime_environment    = "FLINK-1_18"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
}

resource "aws_kinesisanalyticsv2_application" "sql" {
  name                   = "sql"
  runtime_environment    = "SQL-1_0"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
}

resource "aws_kinesisanalyticsv2_application" "flink_no_usage" {
  name                   = "flink-no-usage"
  runtime_environment    = "FLINK-1_18"
  service_execution_role = "arn:aws:iam::123456789012:role/flink"
}
