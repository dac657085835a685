provider "aws" {
  region = "us-east-1"
}

resource "aws_cloudfront_distribution" "no_usage" {
  enabled = true

  origin {
    domain_name = "assets.s3.us-east-1.amazonaws.com"
    origin_id   = "assets"
  }

  default_cache_behavior {
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    target_origin_id       = "assets"
    viewer_protocol_policy = "redirect-to-https"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

# Origin Shield in eu-central-1, a log bucket, field-level encryption and a dedicated-IP
# certificate; traffic from the US (15 TB crosses the first tier) and Japan.
resource "aws_cloudfront_distribution" "full" {
  enabled = true

  origin {
    domain_name = "api.example.org"
    origin_id   = "api"

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }

    origin_shield {
      enabled              = true
      origin_shield_region = "eu-central-1"
    }
  }

  logging_config {
    bucket = "logs.s3.amazonaws.com"
  }

  default_cache_behavior {
    allowed_methods           = ["GET", "HEAD"]
    cached_methods            = ["GET", "HEAD"]
    target_origin_id          = "api"
    viewer_protocol_policy    = "https-only"
    field_level_encryption_id = "fle-1"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    acm_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/c"
    ssl_support_method  = "vip"
  }
}
