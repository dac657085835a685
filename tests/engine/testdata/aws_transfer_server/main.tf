provider "aws" {
  region = "us-east-1"
}

resource "aws_transfer_server" "default_sftp" {
  identity_provider_type = "SERVICE_MANAGED"
}

resource "aws_transfer_server" "ftp_and_ftps" {
  identity_provider_type = "API_GATEWAY"
  url                    = "https://example.execute-api.us-east-1.amazonaws.com/prod"
  invocation_role        = "arn:aws:iam::123456789012:role/transfer"
  endpoint_type          = "VPC"
  protocols              = ["FTPS", "FTP"]
  certificate            = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
  endpoint_details {
    vpc_id     = "vpc-123"
    subnet_ids = ["subnet-1"]
  }
}
