provider "aws" {
  region = "us-east-1"
}

resource "aws_kms_key" "symmetric" {
  description = "symmetric"
}

resource "aws_kms_key" "rsa_2048" {
  description              = "rsa"
  customer_master_key_spec = "RSA_2048"
  key_usage                = "SIGN_VERIFY"
}

resource "aws_kms_key" "ecc" {
  description              = "ecc"
  customer_master_key_spec = "ECC_NIST_P256"
  key_usage                = "SIGN_VERIFY"
}
