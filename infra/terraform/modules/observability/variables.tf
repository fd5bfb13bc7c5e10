variable "prefix" {
  type        = string
  description = "Name prefix for the SNS topic and alarms."
}

variable "alarm_email" {
  type        = string
  description = "Email address subscribed to the alarm topic (confirm the subscription mail); null = no subscription."
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be null or an email address."
  }
}

variable "assembly_queue_name" {
  type        = string
  description = "Name of the assembly FIFO queue."
}

variable "assembly_dlq_name" {
  type        = string
  description = "Name of the assembly dead-letter queue."
}

variable "alb_arn_suffix" {
  type        = string
  description = "ARN suffix of the load balancer (LoadBalancer dimension)."
}

variable "alb_5xx_rate_threshold_percent" {
  type        = number
  description = "Alarm when more than this % of requests in 5 minutes end in a 5xx (from the ALB or the targets)."
  default     = 5

  validation {
    condition     = var.alb_5xx_rate_threshold_percent > 0 && var.alb_5xx_rate_threshold_percent <= 100
    error_message = "alb_5xx_rate_threshold_percent must be between 0 (exclusive) and 100."
  }
}

variable "alb_5xx_min_requests" {
  type        = number
  description = "Ignore the 5xx rate in 5-minute windows with fewer requests than this (avoids paging on 1 of 2 requests)."
  default     = 20
}

variable "queue_oldest_message_age_threshold_seconds" {
  type        = number
  description = "Alarm when the oldest assembly message has waited longer than this (assembly stuck or consumers down)."
  default     = 900
}

variable "cluster_name" {
  type        = string
  description = "ECS cluster of the services (ClusterName dimension of Container Insights)."
}

variable "service_names" {
  type        = map(string)
  description = "ECS services to watch, key => service name (one running-task alarm each)."
}

variable "target_group_arn_suffixes" {
  type        = map(string)
  description = "ALB target groups to watch, key => ARN suffix (TargetGroup dimension; one unhealthy-target alarm each)."
}

variable "table_names" {
  type        = map(string)
  description = "DynamoDB tables to watch, key => table name (one throttling alarm each)."
}

variable "web_acl_name" {
  type        = string
  description = "Name of the WAF web ACL on the ALB, for the dashboard's blocked-requests graph; null = no WAF."
  default     = null
}
