provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudwatch_event_bus" "orders" {
  name = "orders"
}

resource "aws_cloudwatch_event_bus" "no_usage" {
  name = "idle"
}
