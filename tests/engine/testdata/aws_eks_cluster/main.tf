provider "aws" {
  region = "us-east-1"
}

resource "aws_eks_cluster" "current" {
  name     = "current"
  role_arn = "arn:aws:iam::123456789012:role/eks"

  vpc_config {
    subnet_ids = ["subnet-1", "subnet-2"]
  }
}

# 1.23 left standard support on 2023-10-11: extended support is billed on top.
resource "aws_eks_cluster" "extended" {
  name     = "extended"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  version  = "1.23"

  vpc_config {
    subnet_ids = ["subnet-1", "subnet-2"]
  }
}

# The STANDARD upgrade policy upgrades the cluster instead of paying for extended support.
resource "aws_eks_cluster" "standard_policy" {
  name     = "standard"
  role_arn = "arn:aws:iam::123456789012:role/eks"
  version  = "1.23"

  upgrade_policy {
    support_type = "STANDARD"
  }

  vpc_config {
    subnet_ids = ["subnet-1", "subnet-2"]
  }
}
