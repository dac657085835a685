provider "aws" {
  region = "us-east-1"
}

resource "aws_alb" "legacy_name" {
  name = "legacy"
}

# Rule evaluations dominate: 45,000 / 1,000 = 45 LCU-hours.
resource "aws_alb" "rules_heavy" {
  name = "rules-heavy"
}
