provider "aws" {
  region = "us-east-1"
}

resource "aws_kinesisanalytics_application" "sql" {
  name = "sql"
}

resource "aws_kinesisanalytics_application" "no_usage" {
  name = "no-usage"
}
