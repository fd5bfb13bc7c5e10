# AWS WAF in front of the ALB (docs/security.md, "The edge"). In order of evaluation:
#   0. the ops endpoints (/healthz, /readyz, /metrics) however the path is spelled
#   1. per-IP rate limit on /api/v1/auth/ (sign-in, sign-up, refresh: password guessing)
#   2. per-IP rate limit on every request
#   3. Amazon IP reputation list (known bots, scanners, malware hosts)
#   4. AWS core rule set (XSS, LFI/RFI, SSRF, oversized parts of a request, bad user agents)
#   5. known bad inputs (Log4j, Java deserialisation, exploitable paths, Host: localhost)
#   6. the content rules on bodies of 4 and 5, outside /uploads/*
# Chunk bodies are file bytes, MiB-sized and never interpreted: the core rule set's
# SizeRestrictions_BODY would block every chunk PUT (> 8 KB), and the other body rules would block
# a user uploading an HTML page or a log file that mentions "${jndi:". So the body rules only
# count (and label) in 4 and 5, and rule 6 blocks what the content rules (XSS, LFI, RFI, SSRF,
# Log4j, Java deserialisation) matched everywhere except /uploads/*. SizeRestrictions_BODY blocks
# nowhere: the services bound bodies themselves with their own error shape (the gateway answers
# 413 above 16 KB, and a valid request for 100 direct-transfer part URLs is ~9 KB; the workers
# take at most one chunk). Direct transfer PUTs parts to S3, not through the ALB.

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
      or_statement {
        statement {
          byte_match_statement {
            search_string         = "/healthz"
            positional_constraint = "EXACTLY"

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

        statement {
          byte_match_statement {
            search_string         = "/readyz"
            positional_constraint = "EXACTLY"

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

        statement {
          byte_match_statement {
            search_string         = "/metrics"
            positional_constraint = "EXACTLY"

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

        # Body rules count and label only; rule "body-rules-outside-uploads" blocks on the labels
        # of the content rules.
        rule_action_override {
          name = "SizeRestrictions_BODY"
          action_to_use {
            count {}
          }
        }

        rule_action_override {
          name = "CrossSiteScripting_BODY"
          action_to_use {
            count {}
          }
        }

        rule_action_override {
          name = "GenericLFI_BODY"
          action_to_use {
            count {}
          }
        }

        rule_action_override {
          name = "GenericRFI_BODY"
          action_to_use {
            count {}
          }
        }

        rule_action_override {
          name = "EC2MetaDataSSRF_BODY"
          action_to_use {
            count {}
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

        rule_action_override {
          name = "JavaDeserializationRCE_BODY"
          action_to_use {
            count {}
          }
        }

        rule_action_override {
          name = "Log4JRCE_BODY"
          action_to_use {
            count {}
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

resource "aws_wafv2_web_acl_association" "alb" {
  count = var.waf_enabled ? 1 : 0

  resource_arn = aws_lb.this.arn
  web_acl_arn  = aws_wafv2_web_acl.this[0].arn
}

# Optional WAF logs (every evaluated request; CloudWatch Logs requires the aws-waf-logs- prefix).
# Credentials are redacted: the Authorization header (bearer tokens) and cookies (refresh token).
resource "aws_cloudwatch_log_group" "waf" {
  count = var.waf_enabled && var.waf_logging_enabled ? 1 : 0

  name              = "aws-waf-logs-${var.prefix}"
  retention_in_days = var.waf_log_retention_days
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  count = var.waf_enabled && var.waf_logging_enabled ? 1 : 0

  resource_arn            = aws_wafv2_web_acl.this[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf[0].arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  redacted_fields {
    single_header {
      name = "cookie"
    }
  }
}
