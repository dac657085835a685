provider "aws" {
  region = "us-east-1"
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  memory_size   = 1024
  architectures = ["arm64"]
}

# memory and architecture from the function it configures
resource "aws_lambda_provisioned_concurrency_config" "from_function" {
  function_name                     = aws_lambda_function.api.function_name
  qualifier                         = "live"
  provisioned_concurrent_executions = 4
}

# memory and architecture from the usage file
resource "aws_lambda_provisioned_concurrency_config" "from_usage" {
  function_name                     = "elsewhere"
  qualifier                         = "live"
  provisioned_concurrent_executions = 10
}

resource "aws_lambda_provisioned_concurrency_config" "no_usage" {
  function_name                     = "elsewhere"
  qualifier                         = "live"
  provisioned_concurrent_executions = 2
}
