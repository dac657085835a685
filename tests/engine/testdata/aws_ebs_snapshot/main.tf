provider "aws" {
  region = "us-east-1"
}

resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 80
}

resource "aws_ebs_snapshot" "data" {
  volume_id = aws_ebs_volume.data.id
}

# The volume is not in the configuration: its size is unknown.
resource "aws_ebs_snapshot" "external" {
  volume_id = "vol-0123456789abcdef0"
}
