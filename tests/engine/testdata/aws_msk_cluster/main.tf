provider "aws" {
  region = "us-east-1"
}

resource "aws_msk_cluster" "standard" {
  cluster_name           = "standard"
  kafka_version          = "3.6.0"
  number_of_broker_nodes = 3
  broker_node_group_info {
    instance_type   = "kafka.m5.large"
    client_subnets  = ["subnet-a", "subnet-b", "subnet-c"]
    security_groups = ["sg-1"]
    storage_info {
      ebs_storage_info {
        volume_size = 500
      }
    }
  }
}

resource "aws_msk_cluster" "autoscaled_storage" {
  cluster_name           = "autoscaled"
  kafka_version          = "3.6.0"
  number_of_broker_nodes = 2
  broker_node_group_info {
    instance_type   = "kafka.t3.small"
    client_subnets  = ["subnet-a", "subnet-b"]
    security_groups = ["sg-1"]
    storage_info {
      ebs_storage_info {
        volume_size = 100
      }
    }
  }
}

resource "aws_appautoscaling_target" "storage" {
  min_capacity       = 1
  max_capacity       = 4000
  resource_id        = aws_msk_cluster.autoscaled_storage.arn
  scalable_dimension = "kafka:broker-storage:VolumeSize"
  service_namespace  = "kafka"
}

resource "aws_msk_cluster" "express" {
  cluster_name           = "express"
  kafka_version          = "3.6.x"
  number_of_broker_nodes = 3
  broker_node_group_info {
    instance_type   = "express.m7g.large"
    client_subnets  = ["subnet-a", "subnet-b", "subnet-c"]
    security_groups = ["sg-1"]
  }
}
