provider "aws" {
  region = "us-east-1"
}

resource "aws_secretsmanager_secret" "db" {
  name = "db"
}

resource "aws_secretsmanager_secret" "no_usage" {
  name = "idle"
}
