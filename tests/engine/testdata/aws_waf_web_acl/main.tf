provider "aws" {
  region = "us-east-1"
}

resource "aws_waf_web_acl" "acl" {
  name        = "acl"
  metric_name = "acl"
  default_action {
    type = "ALLOW"
  }
  rules {
    action {
      type = "BLOCK"
    }
    priority = 1
    rule_id  = "rule-1"
    type     = "REGULAR"
  }
  rules {
    action {
      type = "BLOCK"
    }
    priority = 2
    rule_id  = "rule-2"
    type     = "RATE_BASED"
  }
  rules {
    override_action {
      type = "NONE"
    }
    priority = 3
    rule_id  = "group-1"
    type     = "GROUP"
  }
}

resource "aws_waf_web_acl" "no_usage" {
  name        = "idle"
  metric_name = "idle"
  default_action {
    type = "ALLOW"
  }
}
