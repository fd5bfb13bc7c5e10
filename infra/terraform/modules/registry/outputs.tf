output "repository_urls" {
  description = "ECR repository URL per service (gateway, sessions, uploads), for docker tag/push."
  value       = { for name, repo in aws_ecr_repository.this : name => repo.repository_url }
}

output "repository_arns" {
  description = "ECR repository ARN per service, for the task execution role's pull permissions."
  value       = { for name, repo in aws_ecr_repository.this : name => repo.arn }
}
