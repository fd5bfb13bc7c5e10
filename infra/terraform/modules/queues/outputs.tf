output "assembly_queue_name" {
  description = "Name of the assembly FIFO queue."
  value       = aws_sqs_queue.assembly.name
}

output "assembly_queue_arn" {
  description = "ARN of the assembly FIFO queue."
  value       = aws_sqs_queue.assembly.arn
}

output "assembly_queue_url" {
  description = "URL of the assembly FIFO queue."
  value       = aws_sqs_queue.assembly.url
}

output "assembly_dlq_name" {
  description = "Name of the assembly dead-letter queue."
  value       = aws_sqs_queue.assembly_dlq.name
}

output "assembly_dlq_arn" {
  description = "ARN of the assembly dead-letter queue."
  value       = aws_sqs_queue.assembly_dlq.arn
}

output "assembly_dlq_url" {
  description = "URL of the assembly dead-letter queue."
  value       = aws_sqs_queue.assembly_dlq.url
}
