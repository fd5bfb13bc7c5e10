# Edge protection: AWS WAF and the ALB's access logs (modules/edge).

variable "waf_enabled" {
  type        = bool
  description = "AWS WAF on the ALB: per-IP rate limits, Amazon IP reputation list, core rule set and known bad inputs (body rules skipped for chunk PUTs on /uploads/*)."
  default     = true
}

variable "waf_rate_limit" {
  type        = number
  description = "Requests per IP per 5 minutes, all paths, before WAF blocks the IP (a 1 Gbit/s relay upload sends ~2,250 chunk PUTs per 5 minutes)."
  default     = 5000
}

variable "waf_auth_rate_limit" {
  type        = number
  description = "Requests per IP per 5 minutes to /api/v1/auth/ before WAF blocks them."
  default     = 100
}

variable "waf_logging_enabled" {
  type        = bool
  description = "WAF logs to CloudWatch (aws-waf-logs-<prefix>), Authorization and Cookie redacted."
  default     = false
}

variable "access_logs_enabled" {
  type        = bool
  description = "ALB access logs to the bucket <prefix>-alb-logs (SSE-S3, private, expired after 90 days)."
  default     = true
}
