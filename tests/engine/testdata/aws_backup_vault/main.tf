provider "aws" {
  region = "us-east-1"
}

resource "aws_backup_vault" "main" {
  name = "main"
}

resource "aws_backup_vault" "no_usage" {
  name = "idle"
}
