provider "aws" {
  region = "us-east-1"
}

resource "aws_wafv2_web_acl" "acl" {
  name  = "acl"
  scope = "REGIONAL"
  default_action {
    allow {}
  }
  rule {
    name     = "rate"
    priority = 1
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = 1000
        aggregate_key_type = "IP"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = false
      metric_name                = "rate"
      sampled_requests_enabled   = false
    }
  }
  rule {
    name     = "common"
    priority = 2
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = false
      metric_name                = "common"
      sampled_requests_enabled   = false
    }
  }
  rule {
    name     = "own-group"
    priority = 3
    override_action {
      none {}
    }
    statement {
      rule_group_reference_statement {
        arn = "arn:aws:wafv2:us-east-1:123456789012:regional/rulegroup/own/abc"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = false
      metric_name                = "own"
      sampled_requests_enabled   = false
    }
  }
  visibility_config {
    cloudwatch_metrics_enabled = false
    metric_name                = "acl"
    sampled_requests_enabled   = false
  }
}
