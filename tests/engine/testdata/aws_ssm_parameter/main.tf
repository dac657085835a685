provider "aws" {
  region = "us-east-1"
}

resource "aws_ssm_parameter" "standard" {
  name  = "/app/standard"
  type  = "String"
  value = "x"
}

resource "aws_ssm_parameter" "advanced" {
  name  = "/app/advanced"
  type  = "String"
  tier  = "Advanced"
  value = "x"
}

resource "aws_ssm_parameter" "higher_throughput" {
  name  = "/app/higher"
  type  = "String"
  value = "x"
}
