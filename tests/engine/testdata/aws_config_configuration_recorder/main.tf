provider "aws" {
  region = "us-east-1"
}

resource "aws_config_configuration_recorder" "continuous" {
  name     = "continuous"
  role_arn = "arn:aws:iam::123456789012:role/config"
}

resource "aws_config_configuration_recorder" "daily" {
  name     = "daily"
  role_arn = "arn:aws:iam::123456789012:role/config"
  recording_mode {
    recording_frequency = "DAILY"
  }
}
