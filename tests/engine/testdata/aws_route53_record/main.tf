provider "aws" {
  region = "us-east-1"
}

resource "aws_route53_record" "no_usage" {
  zone_id = "Z123"
  name    = "www.example.org"
  type    = "A"
  ttl     = 300
  records = ["192.0.2.10"]
}

# 1.3 billion standard queries cross the 1B tier; latency and geo queries stay in the first.
resource "aws_route53_record" "busy" {
  zone_id        = "Z123"
  name           = "api.example.org"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.11"]
  set_identifier = "primary"

  latency_routing_policy {
    region = "us-east-1"
  }
}

resource "aws_route53_record" "alias_to_lb" {
  zone_id = "Z123"
  name    = "app.example.org"
  type    = "A"

  alias {
    name                   = "lb-123.us-east-1.elb.amazonaws.com"
    zone_id                = "Z35SXDOTRQ7X7K"
    evaluate_target_health = true
  }
}
