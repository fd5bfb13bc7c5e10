variable "prefix" {
  type        = string
  description = "Name prefix: load balancer <prefix>-alb, target groups <prefix>-gateway and <prefix>-uploads (32-character AWS limit)."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the target groups."
}

variable "public_subnet_ids" {
  type        = list(string)
  description = "Public subnets (two AZs) the load balancer lives in."
}

variable "security_group_id" {
  type        = string
  description = "Security group of the load balancer."
}

variable "certificate_arn" {
  type        = string
  description = "ARN of an issued ACM certificate for domain_name, in the same region as the stack; null = request one and validate it in route53_zone_id (certificate.tf)."
  default     = null

  validation {
    condition     = var.certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", coalesce(var.certificate_arn, "-")))
    error_message = "certificate_arn must be null or an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "domain_name" {
  type        = string
  description = "Host name users open (e.g. files.example.com)."
}

variable "route53_zone_id" {
  type        = string
  description = "Route 53 hosted zone for domain_name; when set, an alias record pointing at the ALB is created (and, without certificate_arn, the certificate's validation record). Null = create the DNS record yourself (CNAME to alb_dns_name)."
  default     = null
}

variable "gateway_port" {
  type        = number
  description = "Port of the gateway containers."
  default     = 8080
}

variable "uploads_port" {
  type        = number
  description = "Port of the uploads workers."
  default     = 8081
}

variable "health_check_path" {
  type        = string
  description = "Path the target groups probe."
  default     = "/readyz"
}

variable "deletion_protection" {
  type        = bool
  description = "Protect the load balancer against deletion (prod)."
  default     = false
}

variable "idle_timeout_seconds" {
  type        = number
  description = "ALB idle timeout. It must stay below the targets' keep-alive (IDLE_TIMEOUT_MS of gateway and uploads, 65 s in the stack), or the ALB may reuse a connection the target is closing: a 502. A chunk PUT that sends nothing for this long is cut."
  default     = 60

  validation {
    condition     = var.idle_timeout_seconds >= 1 && var.idle_timeout_seconds <= 4000
    error_message = "idle_timeout_seconds must be between 1 and 4000."
  }
}

variable "ssl_policy" {
  type        = string
  description = "TLS policy of the HTTPS listener."
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "waf_enabled" {
  type        = bool
  description = "Put AWS WAF (waf.tf: rate limits, IP reputation, core rule set, known bad inputs) in front of the ALB."
  default     = true
}

variable "waf_rate_limit" {
  type        = number
  description = "Requests one IP may send in 5 minutes, all paths together, before WAF blocks it until its rate drops. A relay upload at 1 Gbit/s with 16 MiB chunks sends ~2,250 chunk PUTs per 5 minutes; users behind one NAT share the limit."
  default     = 5000

  validation {
    condition     = var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000
    error_message = "waf_rate_limit must be between 10 and 2000000000 (AWS WAF limits)."
  }
}

variable "waf_auth_rate_limit" {
  type        = number
  description = "Requests one IP may send to /api/v1/auth/ (sign-in, sign-up, refresh, ...) in 5 minutes before WAF blocks them; the gateway's own per-IP limits count per task, this one for the whole stack."
  default     = 100

  validation {
    condition     = var.waf_auth_rate_limit >= 10 && var.waf_auth_rate_limit <= 2000000000
    error_message = "waf_auth_rate_limit must be between 10 and 2000000000 (AWS WAF limits)."
  }
}

variable "waf_logging_enabled" {
  type        = bool
  description = "Send WAF logs (every evaluated request, Authorization and Cookie redacted) to the log group aws-waf-logs-<prefix>."
  default     = false
}

variable "waf_log_retention_days" {
  type        = number
  description = "Days CloudWatch keeps the WAF logs."
  default     = 30
}

variable "access_logs_enabled" {
  type        = bool
  description = "Write ALB access logs to the bucket <prefix>-alb-logs (access-logs.tf)."
  default     = true
}

variable "access_logs_expiration_days" {
  type        = number
  description = "Days after which access log objects are deleted."
  default     = 90

  validation {
    condition     = var.access_logs_expiration_days >= 1
    error_message = "access_logs_expiration_days must be at least 1."
  }
}

variable "force_destroy" {
  type        = bool
  description = "Let `terraform destroy` delete the access log bucket with its logs (dev)."
  default     = false
}
