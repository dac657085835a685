provider "aws" {
  region = "us-east-1"
}

resource "aws_nat_gateway" "per_az" {
  count         = 2
  subnet_id     = "subnet-${count.index}"
  allocation_id = "eipalloc-${count.index}"
}

resource "aws_nat_gateway" "private" {
  subnet_id         = "subnet-private"
  connectivity_type = "private"
}
