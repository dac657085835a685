provider "aws" {
  region = "us-east-1"
}

resource "aws_networkfirewall_firewall" "no_usage" {
  name                = "edge"
  firewall_policy_arn = "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/p"
  vpc_id              = "vpc-1"

  subnet_mapping {
    subnet_id = "subnet-a"
  }
}

# Two availability zones: two firewall endpoints.
resource "aws_networkfirewall_firewall" "with_usage" {
  name                = "inspection"
  firewall_policy_arn = "arn:aws:network-firewall:us-east-1:123456789012:firewall-policy/p"
  vpc_id              = "vpc-2"

  subnet_mapping {
    subnet_id = "subnet-b"
  }

  subnet_mapping {
    subnet_id = "subnet-c"
  }
}
