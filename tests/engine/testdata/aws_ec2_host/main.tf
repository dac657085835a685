provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "ireland"
  region = "eu-west-1"
}

# Dedicated Host prices exist for eu-west-1 only (Feb 2023 Price List).
resource "aws_ec2_host" "c5_ireland" {
  provider          = aws.ireland
  instance_type     = "c5.18xlarge"
  availability_zone = "eu-west-1a"
}

resource "aws_ec2_host" "m5_ireland" {
  provider          = aws.ireland
  instance_family   = "m5"
  availability_zone = "eu-west-1a"
}

resource "aws_ec2_host" "reserved_ireland" {
  provider          = aws.ireland
  instance_family   = "r5"
  availability_zone = "eu-west-1a"
}

resource "aws_ec2_host" "mac" {
  instance_type     = "mac1.metal"
  availability_zone = "us-east-1a"
}
