provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudfront_function" "rewrite" {
  name    = "rewrite"
  runtime = "cloudfront-js-2.0"
  publish = true
  code    = "function handler(event) { return event.request; }"
}
