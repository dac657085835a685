provider "aws" {
  region = "us-east-1"
}

resource "aws_launch_configuration" "web" {
  image_id      = "ami-123"
  instance_type = "c5.large"

  root_block_device {
    volume_size = 20
  }
}

# desired_capacity instances of the launch configuration (detailed monitoring by default).
resource "aws_autoscaling_group" "web" {
  launch_configuration = aws_launch_configuration.web.name
  desired_capacity     = 3
  min_size             = 1
  max_size             = 5
}

# No desired_capacity: min_size; min_size 0: one instance is assumed.
resource "aws_autoscaling_group" "min_size" {
  launch_configuration = aws_launch_configuration.web.name
  min_size             = 2
  max_size             = 5
}

resource "aws_autoscaling_group" "min_size_zero" {
  launch_configuration = aws_launch_configuration.web.name
  min_size             = 0
  max_size             = 5
}

resource "aws_launch_template" "spot" {
  instance_type = "m5.large"

  instance_market_options {
    market_type = "spot"
  }

  block_device_mappings {
    device_name = "/dev/xvda"

    ebs {
      volume_type = "gp3"
      volume_size = 50
    }
  }
}

resource "aws_autoscaling_group" "spot_template" {
  desired_capacity = 2
  min_size         = 1
  max_size         = 4

  launch_template {
    id      = aws_launch_template.spot.id
    version = "$Latest"
  }
}

resource "aws_launch_template" "mixed" {
  instance_type = "m5.large"
}

# 8 capacity units of an override weighing 2: 4 instances, 1 on-demand base, the rest
# 25 % on-demand (rounded up): 2 on-demand, 2 spot.
resource "aws_autoscaling_group" "mixed" {
  desired_capacity = 8
  min_size         = 1
  max_size         = 10

  mixed_instances_policy {
    launch_template {
      launch_template_specification {
        launch_template_id = aws_launch_template.mixed.id
      }

      override {
        instance_type     = "m5.xlarge"
        weighted_capacity = "2"
      }

      override {
        instance_type     = "m5.2xlarge"
        weighted_capacity = "4"
      }
    }

    instances_distribution {
      on_demand_base_capacity                  = 1
      on_demand_percentage_above_base_capacity = 25
    }
  }
}

# The usage file says how many run, and that they are reserved.
resource "aws_autoscaling_group" "usage" {
  launch_configuration = aws_launch_configuration.web.name
  desired_capacity     = 2
  min_size             = 1
  max_size             = 10
}

# The launch template is not in the configuration.
resource "aws_autoscaling_group" "external" {
  desired_capacity = 2
  min_size         = 1
  max_size         = 3

  launch_template {
    name = "defined-elsewhere"
  }
}
