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
  description = "ARN of an issued ACM certificate for domain_name, in the same region as the stack."

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)."
  }
}

variable "domain_name" {
  type        = string
  description = "Host name users open (e.g. files.example.com)."
}

variable "route53_zone_id" {
  type        = string
  description = "Route 53 hosted zone for domain_name; when set, an alias record pointing at the ALB is created. Null = create the DNS record yourself (CNAME to alb_dns_name)."
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
  description = "ALB idle timeout; a chunk PUT that sends nothing for this long is cut (the workers allow 120 s per request)."
  default     = 120

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
