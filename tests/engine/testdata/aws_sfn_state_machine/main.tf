provider "aws" {
  region = "us-east-1"
}

resource "aws_sfn_state_machine" "standard" {
  name       = "standard"
  role_arn   = "arn:aws:iam::123456789012:role/sfn"
  definition = jsonencode({ StartAt = "A", States = { A = { Type = "Succeed" } } })
}

resource "aws_sfn_state_machine" "express" {
  name       = "express"
  type       = "EXPRESS"
  role_arn   = "arn:aws:iam::123456789012:role/sfn"
  definition = jsonencode({ StartAt = "A", States = { A = { Type = "Succeed" } } })
}

resource "aws_sfn_state_machine" "express_no_usage" {
  name       = "express-idle"
  type       = "EXPRESS"
  role_arn   = "arn:aws:iam::123456789012:role/sfn"
  definition = jsonencode({ StartAt = "A", States = { A = { Type = "Succeed" } } })
}
