provider "aws" {
  region = "us-east-1"
}

resource "aws_elasticache_cluster" "redis" {
  cluster_id               = "redis"
  engine                   = "redis"
  node_type                = "cache.m5.large"
  num_cache_nodes          = 1
  snapshot_retention_limit = 4
}

resource "aws_elasticache_cluster" "memcached" {
  cluster_id      = "memcached"
  engine          = "memcached"
  node_type       = "cache.t3.small"
  num_cache_nodes = 3
}

resource "aws_elasticache_cluster" "valkey_reserved" {
  cluster_id      = "valkey"
  engine          = "valkey"
  node_type       = "cache.r6g.large"
  num_cache_nodes = 2
}

resource "aws_elasticache_replication_group" "rg" {
  replication_group_id = "rg"
  description          = "group"
  node_type            = "cache.t3.micro"
  num_cache_clusters   = 2
}

resource "aws_elasticache_cluster" "member" {
  cluster_id           = "member"
  replication_group_id = aws_elasticache_replication_group.rg.id
}
