provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudhsm_v2_hsm" "always_on" {
  cluster_id        = "cluster-abc123"
  availability_zone = "us-east-1a"
}

resource "aws_cloudhsm_v2_hsm" "part_time" {
  cluster_id        = "cluster-abc123"
  availability_zone = "us-east-1b"
}
