provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudwatch_dashboard" "main" {
  dashboard_name = "main"
  dashboard_body = jsonencode({ widgets = [] })
}
