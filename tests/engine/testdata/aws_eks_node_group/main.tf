provider "aws" {
  region = "us-east-1"
}

# No instance_types and no launch template: EKS's default t3.medium, 20 GB gp2 disks.
resource "aws_eks_node_group" "default" {
  cluster_name  = "cluster"
  node_role_arn = "arn:aws:iam::123456789012:role/nodes"
  subnet_ids    = ["subnet-1"]

  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 1
  }
}

resource "aws_eks_node_group" "spot" {
  cluster_name   = "cluster"
  node_role_arn  = "arn:aws:iam::123456789012:role/nodes"
  subnet_ids     = ["subnet-1"]
  instance_types = ["m5.large", "m5a.large"]
  capacity_type  = "SPOT"
  disk_size      = 50

  scaling_config {
    desired_size = 3
    max_size     = 5
    min_size     = 1
  }
}

resource "aws_launch_template" "nodes" {
  instance_type = "c5.large"

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_type = "gp3"
      volume_size = 100
    }
  }
}

# The node group's instance_types override the template's.
resource "aws_eks_node_group" "template" {
  cluster_name   = "cluster"
  node_role_arn  = "arn:aws:iam::123456789012:role/nodes"
  subnet_ids     = ["subnet-1"]
  instance_types = ["c5.xlarge"]

  launch_template {
    id      = aws_launch_template.nodes.id
    version = "$Latest"
  }

  scaling_config {
    desired_size = 2
    max_size     = 4
    min_size     = 1
  }
}

resource "aws_eks_node_group" "usage" {
  cluster_name   = "cluster"
  node_role_arn  = "arn:aws:iam::123456789012:role/nodes"
  subnet_ids     = ["subnet-1"]
  instance_types = ["t3.large"]

  scaling_config {
    desired_size = 1
    max_size     = 10
    min_size     = 1
  }
}

resource "aws_eks_node_group" "windows" {
  cluster_name   = "cluster"
  node_role_arn  = "arn:aws:iam::123456789012:role/nodes"
  subnet_ids     = ["subnet-1"]
  instance_types = ["m5.large"]
  ami_type       = "WINDOWS_CORE_2022_x86_64"

  scaling_config {
    desired_size = 1
    max_size     = 2
    min_size     = 1
  }
}
