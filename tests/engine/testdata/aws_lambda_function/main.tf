provider "aws" {
  region = "us-east-1"
}

resource "aws_lambda_function" "default" {
  function_name = "default"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
}

resource "aws_lambda_function" "with_usage" {
  function_name = "with-usage"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  memory_size   = 1024
}

resource "aws_lambda_function" "arm_large_storage" {
  function_name = "arm"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "python3.12"
  memory_size   = 2048
  architectures = ["arm64"]
  ephemeral_storage {
    size = 4096
  }
}
