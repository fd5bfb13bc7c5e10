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
