# AWS WAF in front of the ALB (attached and logged in waf-association.tf). docs/security.md, "The
# edge", explains each rule, and why the body rules of the two AWS groups only count and label
# here and are blocked by the last rule everywhere but chunk PUTs on /uploads/* (MiB of file bytes
# nothing interprets), and why SizeRestrictions_BODY (8 KB) blocks nowhere.

locals {
  # Body rules that only count and label (rule "body-rules-outside-uploads" acts on them).
  waf_counted_body_rules = {
    common           = ["SizeRestrictions_BODY", "CrossSiteScripting_BODY", "GenericLFI_BODY", "GenericRFI_BODY", "EC2MetaDataSSRF_BODY"]
    known_bad_inputs = ["JavaDeserializationRCE_BODY", "Log4JRCE_BODY"]
  }
}

resource "aws_wafv2_web_acl" "this" {
  count = var.waf_enabled ? 1 : 0

  name  = "${var.prefix}-edge"
  scope = "REGIONAL"

  default_action {
    allow {}
  }

  # The listener's hide_metrics rule matches the path as sent; the services route /%72eadyz and
  # /./readyz to /readyz too. Here the path is decoded and normalised first.
  rule {
    name     = "ops-endpoints-not-public"
    priority = 5

    action {
      block {}
    }

    statement {
      regex_match_statement {
        regex_string = "^/(healthz|readyz|metrics)(/.*)?$"

        field_to_match {
          uri_path {}
        }

        text_transformation {
          priority = 0
          type     = "URL_DECODE"
        }

        text_transformation {
          priority = 1
          type     = "NORMALIZE_PATH"
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.prefix}-ops-endpoints-not-public"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit-auth"
    priority = 10

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.waf_auth_rate_limit
        evaluation_window_sec = 300
        aggregate_key_type    = "IP"

        scope_down_statement {
          byte_match_statement {
            search_string         = "/api/v1/auth/"
            positional_constraint = "STARTS_WITH"

            field_to_match {
              uri_path {}
            }

            # The path as the gateway routes it: percent-decoded, and in any letter case.
            text_transformation {
              priority = 0
              type     = "URL_DECODE"
            }

            text_transformation {
              priority = 1
              type     = "LOWERCASE"
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.prefix}-rate-limit-auth"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit-ip"
    priority = 20

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.waf_rate_limit
        evaluation_window_sec = 300
        aggregate_key_type    = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.prefix}-rate-limit-ip"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-ip-reputation"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAmazonIpReputationList"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.prefix}-aws-ip-reputation"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-common"
    priority = 40

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"

        dynamic "rule_action_override" {
          for_each = local.waf_counted_body_rules.common

          content {
            name = rule_action_override.value
            action_to_use {
              count {}
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.prefix}-aws-common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-known-bad-inputs"
    priority = 50

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"

        dynamic "rule_action_override" {
          for_each = local.waf_counted_body_rules.known_bad_inputs

          content {
            name = rule_action_override.value
            action_to_use {
              count {}
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.prefix}-aws-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  # The labels of the counted content rules (a rule's label is its name with _Body). Every rule of
  # known bad inputs that is not counted blocks (terminates) on a match, so any label of that
  # namespace still present here comes from one of its two counted body rules.
  rule {
    name     = "body-rules-outside-uploads"
    priority = 60

    action {
      block {}
    }

    statement {
      and_statement {
        statement {
          or_statement {
            statement {
              label_match_statement {
                scope = "LABEL"
                key   = "awswaf:managed:aws:core-rule-set:CrossSiteScripting_Body"
              }
            }

            statement {
              label_match_statement {
                scope = "LABEL"
                key   = "awswaf:managed:aws:core-rule-set:GenericLFI_Body"
              }
            }

            statement {
              label_match_statement {
                scope = "LABEL"
                key   = "awswaf:managed:aws:core-rule-set:GenericRFI_Body"
              }
            }

            statement {
              label_match_statement {
                scope = "LABEL"
                key   = "awswaf:managed:aws:core-rule-set:EC2MetaDataSSRF_Body"
              }
            }

            statement {
              label_match_statement {
                scope = "NAMESPACE"
                key   = "awswaf:managed:aws:known-bad-inputs:"
              }
            }
          }
        }

        statement {
          not_statement {
            statement {
              byte_match_statement {
                search_string         = "/uploads/"
                positional_constraint = "STARTS_WITH"

                field_to_match {
                  uri_path {}
                }

                # Decoded and normalised, as the services route it: /uploads/../api/... is not exempt.
                text_transformation {
                  priority = 0
                  type     = "URL_DECODE"
                }

                text_transformation {
                  priority = 1
                  type     = "NORMALIZE_PATH"
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.prefix}-body-rules-outside-uploads"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.prefix}-edge"
    sampled_requests_enabled   = true
  }
}
