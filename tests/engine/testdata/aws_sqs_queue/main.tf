provider "aws" {
  region = "us-east-1"
}

resource "aws_sqs_queue" "standard" {
  name = "standard"
}

resource "aws_sqs_queue" "fifo_large_messages" {
  name       = "orders.fifo"
  fifo_queue = true
}

resource "aws_sqs_queue" "no_usage" {
  name = "idle"
}
