provider "aws" {
  region = "us-east-1"
}

resource "aws_elasticsearch_domain" "es" {
  domain_name           = "es"
  elasticsearch_version = "7.10"
  cluster_config {
    instance_type  = "r5.large.elasticsearch"
    instance_count = 2
  }
  ebs_options {
    ebs_enabled = true
    volume_size = 50
  }
}

resource "aws_elasticsearch_domain" "reserved_all_upfront" {
  domain_name = "reserved"
  cluster_config {
    instance_type  = "m5.large.elasticsearch"
    instance_count = 1
  }
}

resource "aws_elasticsearch_domain" "defaults" {
  domain_name = "defaults"
}
