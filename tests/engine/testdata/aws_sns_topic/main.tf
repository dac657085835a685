provider "aws" {
  region = "us-east-1"
}

resource "aws_sns_topic" "fanout" {
  name = "fanout"
}

resource "aws_sns_topic" "fifo" {
  name       = "events.fifo"
  fifo_topic = true
}

resource "aws_sns_topic" "no_usage" {
  name = "idle"
}
