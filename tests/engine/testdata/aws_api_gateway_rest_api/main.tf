provider "aws" {
  region = "us-east-1"
}

resource "aws_api_gateway_rest_api" "no_usage" {
  name = "internal"
}

# 1.2 billion requests: the first 333M, the next 667M and 200M of the next 19B.
resource "aws_api_gateway_rest_api" "public" {
  name = "public"
}
