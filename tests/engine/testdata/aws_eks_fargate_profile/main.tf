provider "aws" {
  region = "us-east-1"
}

resource "aws_eks_fargate_profile" "apps" {
  cluster_name           = "cluster"
  fargate_profile_name   = "apps"
  pod_execution_role_arn = "arn:aws:iam::123456789012:role/fargate"
  subnet_ids             = ["subnet-1"]

  selector {
    namespace = "apps"
  }
}
