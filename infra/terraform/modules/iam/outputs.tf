output "gateway_task_role_arn" {
  description = "ARN of the gateway's task role."
  value       = aws_iam_role.gateway.arn
}

output "sessions_task_role_arn" {
  description = "ARN of the sessions service's task role."
  value       = aws_iam_role.sessions.arn
}

output "uploads_task_role_arn" {
  description = "ARN of the uploads workers' task role."
  value       = aws_iam_role.uploads.arn
}

output "execution_role_arn" {
  description = "ARN of the shared ECS task execution role."
  value       = aws_iam_role.execution.arn
}
