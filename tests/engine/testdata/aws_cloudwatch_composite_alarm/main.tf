provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudwatch_composite_alarm" "service" {
  alarm_name = "service-down"
  alarm_rule = "ALARM(cpu) OR ALARM(latency)"
}
