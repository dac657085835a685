provider "aws" {
  region = "us-east-1"
}

resource "aws_opensearch_domain" "on_demand" {
  domain_name = "on-demand"
  cluster_config {
    instance_type            = "m5.large.search"
    instance_count           = 3
    dedicated_master_enabled = true
    dedicated_master_type    = "c5.large.search"
    dedicated_master_count   = 3
    warm_enabled             = true
    warm_type                = "ultrawarm1.medium.search"
    warm_count               = 2
  }
  ebs_options {
    ebs_enabled = true
    volume_type = "gp3"
    volume_size = 100
  }
}

resource "aws_opensearch_domain" "reserved_partial" {
  domain_name = "reserved-partial"
  cluster_config {
    instance_type  = "m5.large.search"
    instance_count = 2
  }
}

resource "aws_opensearch_domain" "reserved_no_upfront" {
  domain_name = "reserved-no-upfront"
  cluster_config {
    instance_type  = "r6g.large.search"
    instance_count = 2
  }
}

resource "aws_opensearch_domain" "defaults" {
  domain_name = "defaults"
}
