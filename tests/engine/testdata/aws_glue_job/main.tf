provider "aws" {
  region = "us-east-1"
}

resource "aws_glue_job" "workers" {
  name              = "workers"
  role_arn          = "arn:aws:iam::123456789012:role/glue"
  worker_type       = "G.2X"
  number_of_workers = 5
  command {
    script_location = "s3://bucket/job.py"
  }
}

resource "aws_glue_job" "flex" {
  name              = "flex"
  role_arn          = "arn:aws:iam::123456789012:role/glue"
  worker_type       = "G.1X"
  number_of_workers = 10
  execution_class   = "FLEX"
  command {
    script_location = "s3://bucket/job.py"
  }
}

resource "aws_glue_job" "max_capacity" {
  name         = "max-capacity"
  role_arn     = "arn:aws:iam::123456789012:role/glue"
  max_capacity = 2
  command {
    script_location = "s3://bucket/job.py"
  }
}

resource "aws_glue_job" "python_shell_default" {
  name     = "python-shell"
  role_arn = "arn:aws:iam::123456789012:role/glue"
  command {
    name            = "pythonshell"
    script_location = "s3://bucket/job.py"
  }
}

resource "aws_glue_job" "spark_default" {
  name     = "spark-default"
  role_arn = "arn:aws:iam::123456789012:role/glue"
  command {
    script_location = "s3://bucket/job.py"
  }
}
