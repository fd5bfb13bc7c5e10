output "alb_arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the load balancer (the CloudWatch LoadBalancer dimension)."
  value       = aws_lb.this.arn_suffix
}

output "alb_dns_name" {
  description = "DNS name of the load balancer; point domain_name at it (CNAME or alias) when route53_zone_id is not set."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Route 53 zone id of the load balancer (for alias records)."
  value       = aws_lb.this.zone_id
}

output "gateway_target_group_arn" {
  description = "Target group of the gateway tasks (attached to the HTTPS listener)."
  value       = aws_lb_target_group.gateway.arn

  # ECS refuses a target group that no listener uses yet.
  depends_on = [aws_lb_listener.https]
}

output "uploads_target_group_arn" {
  description = "Target group of the uploads workers (attached through the /uploads/* rule)."
  value       = aws_lb_target_group.uploads.arn

  depends_on = [aws_lb_listener_rule.uploads]
}

output "app_url" {
  description = "Public URL of the app."
  value       = "https://${var.domain_name}"
}

output "gateway_target_group_arn_suffix" {
  description = "ARN suffix of the gateway target group (the CloudWatch TargetGroup dimension)."
  value       = aws_lb_target_group.gateway.arn_suffix
}

output "uploads_target_group_arn_suffix" {
  description = "ARN suffix of the uploads target group (the CloudWatch TargetGroup dimension)."
  value       = aws_lb_target_group.uploads.arn_suffix
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL on the ALB (null when waf_enabled is false)."
  value       = one(aws_wafv2_web_acl.this[*].arn)
}

output "access_logs_bucket" {
  description = "Bucket of the ALB access logs (null when access_logs_enabled is false)."
  value       = one(aws_s3_bucket.access_logs[*].bucket)
}

output "certificate_arn" {
  description = "Certificate of the HTTPS listener: certificate_arn, or the one requested and DNS-validated here."
  value       = local.certificate_arn
}

output "web_acl_name" {
  description = "Name (and CloudWatch metric name) of the WAF web ACL (null when waf_enabled is false)."
  value       = one(aws_wafv2_web_acl.this[*].name)
}
