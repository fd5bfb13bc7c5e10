output "bucket_name" {
  description = "Name of the object bucket (<prefix>-objects)."
  value       = aws_s3_bucket.objects.id
}

output "bucket_arn" {
  description = "ARN of the object bucket."
  value       = aws_s3_bucket.objects.arn
}
