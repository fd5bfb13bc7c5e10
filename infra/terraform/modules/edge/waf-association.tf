# The web ACL of waf.tf on the ALB, and its optional logs.

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
