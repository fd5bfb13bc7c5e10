# The task role ARNs depend on the roles' policies: the task definitions (and so the ECS services)
# that take them are created only once the policies are attached, so a first task never starts
# with a role that cannot yet read its table or queue.

output "gateway_task_role_arn" {
  description = "ARN of the gateway's task role (available once its policy is attached)."
  value       = aws_iam_role.gateway.arn
  depends_on  = [aws_iam_role_policy.gateway]
}

output "sessions_task_role_arn" {
  description = "ARN of the sessions service's task role (available once its policy is attached)."
  value       = aws_iam_role.sessions.arn
  depends_on  = [aws_iam_role_policy.sessions]
}

output "uploads_task_role_arn" {
  description = "ARN of the uploads workers' task role (available once its policy is attached)."
  value       = aws_iam_role.uploads.arn
  depends_on  = [aws_iam_role_policy.uploads]
}

output "execution_role_arn" {
  description = "ARN of the shared ECS task execution role (available once its policy is attached: image pull, logs, secrets)."
  value       = aws_iam_role.execution.arn
  depends_on  = [aws_iam_role_policy.execution]
}
