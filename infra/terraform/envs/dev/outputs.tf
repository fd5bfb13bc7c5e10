output "app_url" {
  description = "URL of the app: open it, register, upload."
  value       = module.stack.app_url
}

output "alb_dns_name" {
  description = "Load balancer DNS name (target of your DNS record when route53_zone_id is not set)."
  value       = module.stack.alb_dns_name
}

output "ecr_repository_urls" {
  description = "Where to push the gateway, sessions and uploads images."
  value       = module.stack.ecr_repository_urls
}

output "ecs_cluster_name" {
  description = "ECS cluster name."
  value       = module.stack.ecs_cluster_name
}

output "ecs_service_names" {
  description = "ECS service names (gateway, sessions, uploads)."
  value       = module.stack.ecs_service_names
}

output "log_group_names" {
  description = "CloudWatch log group per service."
  value       = module.stack.log_group_names
}

output "table_names" {
  description = "DynamoDB table names."
  value       = module.stack.table_names
}

output "bucket_name" {
  description = "Object bucket name."
  value       = module.stack.bucket_name
}

output "assembly_queue_url" {
  description = "Assembly FIFO queue URL."
  value       = module.stack.assembly_queue_url
}

output "assembly_dlq_url" {
  description = "Assembly dead-letter queue URL."
  value       = module.stack.assembly_dlq_url
}

output "csrf_secret_arn" {
  description = "CSRF_SECRET secret ARN."
  value       = module.stack.csrf_secret_arn
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.stack.alarm_topic_arn
}

output "mail_from_address" {
  description = "Sender of account mail; in the SES sandbox, verify recipients or request production access."
  value       = module.stack.mail_from_address
}

output "mail_dkim_tokens" {
  description = "Publish <token>._domainkey.<mail domain> CNAME <token>.dkim.amazonses.com if Terraform did not."
  value       = module.stack.mail_dkim_tokens
}
