output "users_table_name" {
  description = "Name of the users table."
  value       = aws_dynamodb_table.users.name
}

output "users_table_arn" {
  description = "ARN of the users table."
  value       = aws_dynamodb_table.users.arn
}

output "refresh_tokens_table_name" {
  description = "Name of the refresh-tokens table."
  value       = aws_dynamodb_table.refresh_tokens.name
}

output "refresh_tokens_table_arn" {
  description = "ARN of the refresh-tokens table."
  value       = aws_dynamodb_table.refresh_tokens.arn
}

output "uploads_table_name" {
  description = "Name of the uploads table."
  value       = aws_dynamodb_table.uploads.name
}

output "uploads_table_arn" {
  description = "ARN of the uploads table."
  value       = aws_dynamodb_table.uploads.arn
}

output "files_table_name" {
  description = "Name of the files table."
  value       = aws_dynamodb_table.files.name
}

output "files_table_arn" {
  description = "ARN of the files table."
  value       = aws_dynamodb_table.files.arn
}
