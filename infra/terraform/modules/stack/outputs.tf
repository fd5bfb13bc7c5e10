output "app_url" {
  description = "URL of the app (web app, API under /api/v1, chunk uploads under /uploads)."
  value       = module.edge.app_url
}

output "alb_dns_name" {
  description = "DNS name of the load balancer; point domain_name at it if route53_zone_id is not set."
  value       = module.edge.alb_dns_name
}

output "ecr_repository_urls" {
  description = "ECR repository URL per service image (gateway, sessions, uploads)."
  value       = module.registry.repository_urls
}

output "ecs_cluster_name" {
  description = "ECS cluster name (aws ecs update-service --cluster ...)."
  value       = module.cluster.cluster_name
}

output "ecs_service_names" {
  description = "ECS service name per service."
  value = {
    gateway  = module.gateway.service_name
    sessions = module.sessions.service_name
    uploads  = module.uploads.service_name
  }
}

output "log_group_names" {
  description = "CloudWatch log group per service."
  value = {
    gateway  = module.gateway.log_group_name
    sessions = module.sessions.log_group_name
    uploads  = module.uploads.log_group_name
  }
}

output "table_names" {
  description = "DynamoDB table names."
  value = {
    users          = module.data.users_table_name
    refresh_tokens = module.data.refresh_tokens_table_name
    uploads        = module.data.uploads_table_name
    files          = module.data.files_table_name
  }
}

output "bucket_name" {
  description = "Name of the object bucket."
  value       = module.storage.bucket_name
}

output "assembly_queue_url" {
  description = "URL of the assembly FIFO queue."
  value       = module.queues.assembly_queue_url
}

output "assembly_dlq_url" {
  description = "URL of the assembly dead-letter queue."
  value       = module.queues.assembly_dlq_url
}

output "csrf_secret_arn" {
  description = "ARN of the CSRF_SECRET secret (generated)."
  value       = module.secrets.csrf_secret_arn
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = module.observability.alarm_topic_arn
}

output "nat_public_ips" {
  description = "Public IPs of the NAT gateways (the tasks' outbound address)."
  value       = module.network.nat_public_ips
}

output "mail_from_address" {
  description = "The address account mail is sent from (MAIL_FROM of the gateway)."
  value       = module.mail.from_address
}

output "mail_dkim_tokens" {
  description = "Easy DKIM tokens of a domain mail identity (records created when route53_zone_id covers it)."
  value       = module.mail.dkim_tokens
}
