output "bucket_name" {
  description = "Name of the object bucket (<prefix>-objects)."
  value       = aws_s3_bucket.objects.id
}

output "bucket_arn" {
  description = "ARN of the object bucket."
  value       = aws_s3_bucket.objects.arn
}

output "bucket_origin" {
  description = "The bucket's regional virtual-hosted origin (https://<bucket>.s3.<region>.amazonaws.com): the host of every presigned URL the SDK makes in AWS, so the web app's CSP connect-src must allow it."
  value       = "https://${aws_s3_bucket.objects.bucket_regional_domain_name}"
}
