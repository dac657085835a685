provider "aws" {
  region = "us-east-1"
}

provider "aws" {
  alias  = "ireland"
  region = "eu-west-1"
}

provider "aws" {
  alias  = "beijing"
  region = "cn-north-1"
}

variable "instance_type" {
  type = string
}

# On-demand Linux with described volumes and detailed monitoring.
resource "aws_instance" "web" {
  ami           = "ami-123"
  instance_type = "m5.large"
  monitoring    = true

  root_block_device {
    volume_type = "gp3"
    volume_size = 30
  }

  ebs_block_device {
    device_name = "/dev/sdf"
    volume_type = "io1"
    volume_size = 50
    iops        = 500
  }
}

# t3 is unlimited by default: surplus credits from the usage file.
resource "aws_instance" "burstable" {
  ami           = "ami-123"
  instance_type = "t3.medium"
}

# t2 is standard by default: no credit component.
resource "aws_instance" "t2_standard" {
  ami           = "ami-123"
  instance_type = "t2.micro"
}

resource "aws_instance" "part_time" {
  ami           = "ami-123"
  instance_type = "c5.large"
}

resource "aws_instance" "reserved" {
  ami           = "ami-123"
  instance_type = "m5.large"
}

resource "aws_instance" "spot" {
  ami           = "ami-123"
  instance_type = "m5.large"

  instance_market_options {
    market_type = "spot"
  }
}

resource "aws_instance" "dedicated" {
  ami           = "ami-123"
  instance_type = "m5.large"
  tenancy       = "dedicated"
}

resource "aws_instance" "rhel" {
  ami           = "ami-123"
  instance_type = "m5.large"
}

# Windows: priced where the catalog has it (eu-west-1), priceNotFound elsewhere.
resource "aws_instance" "windows_ireland" {
  provider      = aws.ireland
  ami           = "ami-123"
  instance_type = "m5.large"
}

resource "aws_instance" "windows_virginia" {
  ami           = "ami-123"
  instance_type = "m5.large"
}

resource "aws_instance" "china" {
  provider      = aws.beijing
  ami           = "ami-123"
  instance_type = "m5.large"
}

resource "aws_instance" "unknown_type" {
  ami           = "ami-123"
  instance_type = var.instance_type
}

# What the instance does not say comes from its launch template.
resource "aws_launch_template" "app" {
  instance_type = "c5.xlarge"

  monitoring {
    enabled = true
  }

  block_device_mappings {
    device_name = "/dev/sdg"

    ebs {
      volume_type = "gp2"
      volume_size = 40
    }
  }
}

resource "aws_instance" "from_template" {
  launch_template {
    id = aws_launch_template.app.id
  }
}

resource "aws_ec2_host" "host" {
  instance_family   = "m5"
  availability_zone = "us-east-1a"
}

# Placed on a Dedicated Host: its hours are billed to the host.
resource "aws_instance" "on_host" {
  ami           = "ami-123"
  instance_type = "m5.large"
  host_id       = aws_ec2_host.host.id
}

# EBS optimization costs extra on previous-generation types only; the catalog has no such
# price, so it is listed unpriced. Current types include it (no component).
resource "aws_instance" "ebs_optimized_previous_generation" {
  ami           = "ami-123"
  instance_type = "r3.xlarge"
  ebs_optimized = true
}

resource "aws_instance" "ebs_optimized_current_generation" {
  ami           = "ami-123"
  instance_type = "m5.large"
  ebs_optimized = true
}
