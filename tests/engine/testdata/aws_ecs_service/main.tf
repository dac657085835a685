provider "aws" {
  region = "us-east-1"
}

resource "aws_ecs_task_definition" "small" {
  family                   = "small"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "1 vCPU"
  memory                   = "2 GB"
  container_definitions    = "[]"
}

resource "aws_ecs_task_definition" "arm" {
  family                   = "arm"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 2048
  memory                   = 4096
  container_definitions    = "[]"

  runtime_platform {
    cpu_architecture        = "ARM64"
    operating_system_family = "LINUX"
  }

  ephemeral_storage {
    size_in_gib = 50
  }
}

resource "aws_ecs_task_definition" "windows" {
  family                   = "windows"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 1024
  memory                   = 2048
  container_definitions    = "[]"

  runtime_platform {
    operating_system_family = "WINDOWS_SERVER_2022_CORE"
  }
}

resource "aws_ecs_service" "fargate" {
  name            = "fargate"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.small.arn
  desired_count   = 2
}

resource "aws_ecs_service" "arm" {
  name            = "arm"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.arm.arn
  desired_count   = 3
}

resource "aws_ecs_service" "windows" {
  name            = "windows"
  launch_type     = "FARGATE"
  task_definition = aws_ecs_task_definition.windows.arn
  desired_count   = 1
}

# No launch type: the cluster's capacity providers make it Fargate.
resource "aws_ecs_cluster" "main" {
  name = "main"
}

resource "aws_ecs_cluster_capacity_providers" "main" {
  cluster_name       = aws_ecs_cluster.main.name
  capacity_providers = ["FARGATE"]
}

resource "aws_ecs_service" "cluster_default" {
  name            = "cluster-default"
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.small.family
  desired_count   = 1
}

resource "aws_ecs_service" "spot" {
  name            = "spot"
  task_definition = aws_ecs_task_definition.small.arn
  desired_count   = 2

  capacity_provider_strategy {
    capacity_provider = "FARGATE_SPOT"
    weight            = 1
  }
}

# EC2 capacity: the instances are priced where they are defined.
resource "aws_ecs_service" "ec2" {
  name            = "ec2"
  launch_type     = "EC2"
  task_definition = aws_ecs_task_definition.small.arn
  desired_count   = 2
}

# Tasks run through a task set take its task definition.
resource "aws_ecs_service" "task_set" {
  name          = "task-set"
  launch_type   = "FARGATE"
  desired_count = 1

  deployment_controller {
    type = "EXTERNAL"
  }
}

resource "aws_ecs_task_set" "blue" {
  service         = aws_ecs_service.task_set.id
  cluster         = aws_ecs_cluster.main.id
  task_definition = aws_ecs_task_definition.arm.arn
}
