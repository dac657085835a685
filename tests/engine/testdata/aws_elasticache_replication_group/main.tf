provider "aws" {
  region = "us-east-1"
}

resource "aws_elasticache_replication_group" "non_cluster" {
  replication_group_id     = "non-cluster"
  description              = "primary and two replicas"
  node_type                = "cache.r6g.large"
  num_cache_clusters       = 3
  snapshot_retention_limit = 3
}

resource "aws_elasticache_replication_group" "cluster_mode" {
  replication_group_id    = "cluster-mode"
  description             = "3 shards of 1 primary + 2 replicas"
  node_type               = "cache.m5.large"
  num_node_groups         = 3
  replicas_per_node_group = 2
}

resource "aws_elasticache_replication_group" "autoscaled" {
  replication_group_id    = "autoscaled"
  description             = "shards and replicas set by autoscaling"
  node_type               = "cache.m5.large"
  num_node_groups         = 2
  replicas_per_node_group = 1
}

resource "aws_appautoscaling_target" "shards" {
  min_capacity       = 4
  max_capacity       = 10
  resource_id        = "replication-group/${aws_elasticache_replication_group.autoscaled.replication_group_id}"
  scalable_dimension = "elasticache:replication-group:NodeGroups"
  service_namespace  = "elasticache"
}

resource "aws_appautoscaling_target" "replicas" {
  min_capacity       = 1
  max_capacity       = 5
  resource_id        = "replication-group/autoscaled"
  scalable_dimension = "elasticache:replication-group:Replicas"
  service_namespace  = "elasticache"
}

resource "aws_elasticache_replication_group" "memcached_unknown_type" {
  replication_group_id = "unknown"
  description          = "node type known after apply"
  node_type            = var.node_type
  num_cache_clusters   = 2
}

variable "node_type" {
  type = string
}
