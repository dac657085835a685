provider "aws" {
  region = "us-east-1"
}

variable "lb_type" {
  type = string
}

resource "aws_lb" "alb_no_usage" {
  name = "alb-no-usage"
}

# processed_bytes_gb is monthly: 2,500 GB are 2,500 LCU-hours (the largest dimension).
resource "aws_lb" "alb_bytes" {
  name               = "alb-bytes"
  load_balancer_type = "application"
}

# 2,000 new connections/s over 800 per NLCU = 2.5, the largest dimension.
resource "aws_lb" "nlb_connections" {
  name               = "nlb-connections"
  load_balancer_type = "network"
}

resource "aws_lb" "gateway" {
  name               = "gwlb"
  load_balancer_type = "gateway"
}

resource "aws_lb" "unknown_type" {
  name               = "unknown"
  load_balancer_type = var.lb_type
}
