provider "aws" {
  region = "us-east-1"
}

resource "aws_route53_resolver_endpoint" "outbound" {
  name               = "outbound"
  direction          = "OUTBOUND"
  security_group_ids = ["sg-1"]

  ip_address {
    subnet_id = "subnet-a"
  }

  ip_address {
    subnet_id = "subnet-b"
  }
}

resource "aws_route53_resolver_endpoint" "inbound_no_usage" {
  name               = "inbound"
  direction          = "INBOUND"
  security_group_ids = ["sg-1"]

  ip_address {
    subnet_id = "subnet-a"
  }

  ip_address {
    subnet_id = "subnet-b"
  }

  ip_address {
    subnet_id = "subnet-c"
  }
}
