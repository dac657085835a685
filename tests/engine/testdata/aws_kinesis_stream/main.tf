provider "aws" {
  region = "us-east-1"
}

resource "aws_kinesis_stream" "provisioned" {
  name        = "provisioned"
  shard_count = 4
}

resource "aws_kinesis_stream" "on_demand" {
  name = "on-demand"
  stream_mode_details {
    stream_mode = "ON_DEMAND"
  }
}

resource "aws_kinesis_stream" "no_usage" {
  name        = "no-usage"
  shard_count = 1
  stream_mode_details {
    stream_mode = "PROVISIONED"
  }
}
