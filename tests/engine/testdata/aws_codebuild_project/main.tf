provider "aws" {
  region = "us-east-1"
}

resource "aws_codebuild_project" "linux_small" {
  name         = "linux-small"
  service_role = "arn:aws:iam::123456789012:role/codebuild"
  artifacts {
    type = "NO_ARTIFACTS"
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type     = "GITHUB"
    location = "https://github.com/example/app.git"
  }
}

resource "aws_codebuild_project" "windows_medium" {
  name         = "windows-medium"
  service_role = "arn:aws:iam::123456789012:role/codebuild"
  artifacts {
    type = "NO_ARTIFACTS"
  }
  environment {
    compute_type = "BUILD_GENERAL1_MEDIUM"
    image        = "aws/codebuild/windows-base:2019-3.0"
    type         = "WINDOWS_SERVER_2019_CONTAINER"
  }
  source {
    type     = "GITHUB"
    location = "https://github.com/example/app.git"
  }
}

resource "aws_codebuild_project" "arm_large" {
  name         = "arm-large"
  service_role = "arn:aws:iam::123456789012:role/codebuild"
  artifacts {
    type = "NO_ARTIFACTS"
  }
  environment {
    compute_type = "BUILD_GENERAL1_LARGE"
    image        = "aws/codebuild/amazonlinux2-aarch64-standard:3.0"
    type         = "ARM_CONTAINER"
  }
  source {
    type     = "GITHUB"
    location = "https://github.com/example/app.git"
  }
}

resource "aws_codebuild_project" "no_usage" {
  name         = "idle"
  service_role = "arn:aws:iam::123456789012:role/codebuild"
  artifacts {
    type = "NO_ARTIFACTS"
  }
  environment {
    compute_type = "BUILD_GENERAL1_2XLARGE"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type     = "GITHUB"
    location = "https://github.com/example/app.git"
  }
}
