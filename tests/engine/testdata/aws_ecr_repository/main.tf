provider "aws" {
  region = "us-east-1"
}

resource "aws_ecr_repository" "app" {
  name = "app"
}

resource "aws_ecr_repository" "no_usage" {
  name = "idle"
}
