provider "aws" {
  region = "us-east-1"
}

resource "aws_ebs_volume" "gp2" {
  availability_zone = "us-east-1a"
  size              = 100
}

# gp3 includes 3,000 IOPS and 125 MiB/s; what is above is billed.
resource "aws_ebs_volume" "gp3" {
  availability_zone = "us-east-1a"
  type              = "gp3"
  size              = 200
  iops              = 6000
  throughput        = 250
}

resource "aws_ebs_volume" "io1" {
  availability_zone = "us-east-1a"
  type              = "io1"
  size              = 100
  iops              = 4000
}

# io2 IOPS are tiered: up to 32,000, 32,001 to 64,000, over 64,000.
resource "aws_ebs_volume" "io2" {
  availability_zone = "us-east-1a"
  type              = "io2"
  size              = 500
  iops              = 70000
}

resource "aws_ebs_volume" "st1" {
  availability_zone = "us-east-1a"
  type              = "st1"
  size              = 500
}

resource "aws_ebs_volume" "sc1" {
  availability_zone = "us-east-1a"
  type              = "sc1"
  size              = 1000
}

resource "aws_ebs_volume" "magnetic" {
  availability_zone = "us-east-1a"
  type              = "standard"
  size              = 50
}

# Created from a snapshot without a size: the size is unknown.
resource "aws_ebs_volume" "from_snapshot" {
  availability_zone = "us-east-1a"
  snapshot_id       = "snap-0123456789abcdef0"
}
