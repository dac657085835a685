provider "aws" {
  region = "us-east-1"
}

resource "aws_route53_health_check" "basic_http" {
  fqdn              = "example.org"
  port              = 80
  type              = "HTTP"
  resource_path     = "/"
  failure_threshold = 3
}

# HTTPS, string matching, a 10-second interval and latency measurement: four optional
# features, on a non-AWS endpoint (usage file).
resource "aws_route53_health_check" "all_features_non_aws" {
  fqdn              = "status.partner.example"
  port              = 443
  type              = "HTTPS_STR_MATCH"
  resource_path     = "/health"
  search_string     = "ok"
  request_interval  = 10
  measure_latency   = true
  failure_threshold = 3
}
