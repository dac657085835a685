provider "aws" {
  region = "us-east-1"
}

resource "aws_eip" "idle" {
  domain = "vpc"
}

resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "t3.micro"
}

resource "aws_eip" "attached" {
  domain   = "vpc"
  instance = aws_instance.web.id
}

resource "aws_eip" "customer_owned" {
  domain                   = "vpc"
  customer_owned_ipv4_pool = "ipv4pool-coip-0123456789abcdef0"
}
