provider "aws" {
  region = "us-east-1"
}

resource "aws_redshift_cluster" "ra3" {
  cluster_identifier = "ra3"
  node_type          = "ra3.xlplus"
  number_of_nodes    = 2
}

resource "aws_redshift_cluster" "dc2_single" {
  cluster_identifier = "dc2"
  node_type          = "dc2.large"
  cluster_type       = "single-node"
}

resource "aws_redshift_cluster" "reserved" {
  cluster_identifier = "reserved"
  node_type          = "ra3.4xlarge"
  number_of_nodes    = 3
}
