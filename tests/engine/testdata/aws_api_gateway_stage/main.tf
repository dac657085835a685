provider "aws" {
  region = "us-east-1"
}

resource "aws_api_gateway_stage" "small_cache" {
  rest_api_id           = "api-1"
  stage_name            = "prod"
  deployment_id         = "dep-1"
  cache_cluster_enabled = true
  cache_cluster_size    = 1.6
}

resource "aws_api_gateway_stage" "large_cache" {
  rest_api_id           = "api-1"
  stage_name            = "batch"
  deployment_id         = "dep-1"
  cache_cluster_enabled = true
  cache_cluster_size    = "118"
}

resource "aws_api_gateway_stage" "default_size" {
  rest_api_id           = "api-2"
  stage_name            = "prod"
  deployment_id         = "dep-2"
  cache_cluster_enabled = true
}

resource "aws_api_gateway_stage" "no_cache" {
  rest_api_id        = "api-3"
  stage_name         = "dev"
  deployment_id      = "dep-3"
  cache_cluster_size = 237
}
