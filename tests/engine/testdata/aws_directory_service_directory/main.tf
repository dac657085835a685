provider "aws" {
  region = "us-east-1"
}

resource "aws_directory_service_directory" "simple_small" {
  name     = "corp.example.com"
  password = "SuperSecretPassw0rd"
  type     = "SimpleAD"
  size     = "Small"
  vpc_settings {
    vpc_id     = "vpc-123"
    subnet_ids = ["subnet-1", "subnet-2"]
  }
}

resource "aws_directory_service_directory" "connector_large" {
  name     = "corp.example.com"
  password = "SuperSecretPassw0rd"
  type     = "ADConnector"
  size     = "Large"
  connect_settings {
    customer_dns_ips  = ["10.0.0.10"]
    customer_username = "admin"
    subnet_ids        = ["subnet-1", "subnet-2"]
    vpc_id            = "vpc-123"
  }
}

resource "aws_directory_service_directory" "microsoft_standard" {
  name     = "corp.example.com"
  password = "SuperSecretPassw0rd"
  type     = "MicrosoftAD"
  edition  = "Standard"
  vpc_settings {
    vpc_id     = "vpc-123"
    subnet_ids = ["subnet-1", "subnet-2"]
  }
}

resource "aws_directory_service_directory" "microsoft_enterprise" {
  name     = "corp.example.com"
  password = "SuperSecretPassw0rd"
  type     = "MicrosoftAD"
  vpc_settings {
    vpc_id     = "vpc-123"
    subnet_ids = ["subnet-1", "subnet-2"]
  }
}
