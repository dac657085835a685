provider "aws" {
  region = "us-east-1"
}

resource "aws_sns_topic" "t" {
  name = "t"
}

resource "aws_sns_topic_subscription" "https" {
  topic_arn = aws_sns_topic.t.arn
  protocol  = "https"
  endpoint  = "https://example.com/hook"
}

resource "aws_sns_topic_subscription" "email" {
  topic_arn = aws_sns_topic.t.arn
  protocol  = "email"
  endpoint  = "ops@example.com"
}

resource "aws_sns_topic_subscription" "sqs" {
  topic_arn = aws_sns_topic.t.arn
  protocol  = "sqs"
  endpoint  = "arn:aws:sqs:us-east-1:123456789012:q"
}
