provider "aws" {
  region = "us-east-1"
}

resource "aws_mwaa_environment" "small" {
  name               = "small"
  dag_s3_path        = "dags/"
  execution_role_arn = "arn:aws:iam::123456789012:role/mwaa"
  source_bucket_arn  = "arn:aws:s3:::bucket"
  network_configuration {
    security_group_ids = ["sg-1"]
    subnet_ids         = ["subnet-a", "subnet-b"]
  }
}

resource "aws_mwaa_environment" "large" {
  name               = "large"
  environment_class  = "mw1.large"
  dag_s3_path        = "dags/"
  execution_role_arn = "arn:aws:iam::123456789012:role/mwaa"
  source_bucket_arn  = "arn:aws:s3:::bucket"
  network_configuration {
    security_group_ids = ["sg-1"]
    subnet_ids         = ["subnet-a", "subnet-b"]
  }
}
