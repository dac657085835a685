provider "aws" {
  region = "us-east-1"
}

resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  size              = 120
}

resource "aws_ebs_snapshot" "data" {
  volume_id = aws_ebs_volume.data.id
}

# The copy's size is the source snapshot's volume's.
resource "aws_ebs_snapshot_copy" "copy" {
  source_snapshot_id = aws_ebs_snapshot.data.id
  source_region      = "us-east-1"
}

resource "aws_ebs_snapshot_copy" "external" {
  source_snapshot_id = "snap-0123456789abcdef0"
  source_region      = "eu-west-1"
}
