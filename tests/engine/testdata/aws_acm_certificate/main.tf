provider "aws" {
  region = "us-east-1"
}

resource "aws_acmpca_certificate_authority" "ca" {
  certificate_authority_configuration {
    key_algorithm     = "RSA_4096"
    signing_algorithm = "SHA512WITHRSA"
    subject {
      common_name = "example.com"
    }
  }
}

resource "aws_acm_certificate" "public" {
  domain_name       = "example.com"
  validation_method = "DNS"
}

resource "aws_acm_certificate" "private" {
  domain_name               = "internal.example.com"
  certificate_authority_arn = aws_acmpca_certificate_authority.ca.arn
}
