provider "aws" {
  region = "us-east-1"
}

resource "aws_mq_broker" "activemq_single" {
  broker_name        = "activemq-single"
  engine_type        = "ActiveMQ"
  engine_version     = "5.17.6"
  host_instance_type = "mq.m5.large"
  user {
    username = "admin"
    password = "not-a-real-password"
  }
}

resource "aws_mq_broker" "activemq_ha_ebs" {
  broker_name        = "activemq-ha"
  engine_type        = "ActiveMQ"
  engine_version     = "5.17.6"
  host_instance_type = "mq.m5.large"
  deployment_mode    = "ACTIVE_STANDBY_MULTI_AZ"
  storage_type       = "ebs"
  user {
    username = "admin"
    password = "not-a-real-password"
  }
}

resource "aws_mq_broker" "rabbitmq_cluster" {
  broker_name        = "rabbit"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"
  deployment_mode    = "CLUSTER_MULTI_AZ"
  user {
    username = "admin"
    password = "not-a-real-password"
  }
}

resource "aws_mq_broker" "rabbitmq_single" {
  broker_name        = "rabbit-single"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.t3.micro"
  user {
    username = "admin"
    password = "not-a-real-password"
  }
}
