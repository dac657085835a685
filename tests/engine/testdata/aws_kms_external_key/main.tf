provider "aws" {
  region = "us-east-1"
}

resource "aws_kms_external_key" "imported" {
  description = "imported key material"
}
