provider "aws" {
  region = "us-east-1"
}

resource "aws_acmpca_certificate_authority" "general" {
  certificate_authority_configuration {
    key_algorithm     = "RSA_4096"
    signing_algorithm = "SHA512WITHRSA"
    subject {
      common_name = "example.com"
    }
  }
}

resource "aws_acmpca_certificate_authority" "short_lived" {
  usage_mode = "SHORT_LIVED_CERTIFICATE"
  certificate_authority_configuration {
    key_algorithm     = "EC_prime256v1"
    signing_algorithm = "SHA256WITHECDSA"
    subject {
      common_name = "short.example.com"
    }
  }
}

resource "aws_acmpca_certificate_authority" "no_usage" {
  certificate_authority_configuration {
    key_algorithm     = "RSA_2048"
    signing_algorithm = "SHA256WITHRSA"
    subject {
      common_name = "idle.example.com"
    }
  }
}
