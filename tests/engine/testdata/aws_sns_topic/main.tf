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

resource "aws_sns_topic_subscription" "fifo_queue_a" {
  topic_arn = aws_sns_topic.fifo.arn
  protocol  = "sqs"
  endpoint  = "arn:aws:sqs:us-east-1:123456789012:a.fifo"
}

resource "aws_sns_topic_subscription" "fifo_queue_b" {
  topic_arn = aws_sns_topic.fifo.arn
  protocol  = "sqs"
  endpoint  = "arn:aws:sqs:us-east-1:123456789012:b.fifo"
}
