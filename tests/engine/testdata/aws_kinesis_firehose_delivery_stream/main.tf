provider "aws" {
  region = "us-east-1"
}

resource "aws_kinesis_firehose_delivery_stream" "direct_put" {
  name        = "direct-put"
  destination = "extended_s3"
  extended_s3_configuration {
    role_arn   = "arn:aws:iam::123456789012:role/firehose"
    bucket_arn = "arn:aws:s3:::bucket"
    data_format_conversion_configuration {
      input_format_configuration {
        deserializer {
          open_x_json_ser_de {}
        }
      }
      output_format_configuration {
        serializer {
          parquet_ser_de {}
        }
      }
      schema_configuration {
        database_name = "lake"
        role_arn      = "arn:aws:iam::123456789012:role/firehose"
        table_name    = "events"
      }
    }
  }
}

resource "aws_kinesis_firehose_delivery_stream" "from_stream" {
  name        = "from-stream"
  destination = "extended_s3"
  kinesis_source_configuration {
    kinesis_stream_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/events"
    role_arn           = "arn:aws:iam::123456789012:role/firehose"
  }
  extended_s3_configuration {
    role_arn   = "arn:aws:iam::123456789012:role/firehose"
    bucket_arn = "arn:aws:s3:::bucket"
  }
}

resource "aws_kinesis_firehose_delivery_stream" "to_opensearch_vpc" {
  name        = "to-opensearch"
  destination = "opensearch"
  opensearch_configuration {
    domain_arn = "arn:aws:es:us-east-1:123456789012:domain/logs"
    role_arn   = "arn:aws:iam::123456789012:role/firehose"
    index_name = "logs"
    s3_configuration {
      role_arn   = "arn:aws:iam::123456789012:role/firehose"
      bucket_arn = "arn:aws:s3:::bucket"
    }
    vpc_config {
      subnet_ids         = ["subnet-a", "subnet-b", "subnet-c"]
      security_group_ids = ["sg-1"]
      role_arn           = "arn:aws:iam::123456789012:role/firehose"
    }
  }
}
