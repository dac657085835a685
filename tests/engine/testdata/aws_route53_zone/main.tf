provider "aws" {
  region = "us-east-1"
}

resource "aws_route53_zone" "public" {
  name = "example.org"
}

resource "aws_route53_zone" "private" {
  name = "internal.example.org"

  vpc {
    vpc_id = "vpc-1"
  }
}
