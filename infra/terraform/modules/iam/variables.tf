variable "prefix" {
  type        = string
  description = "Name prefix for the roles (<prefix>-gateway-task, ..., <prefix>-ecs-execution)."
}

variable "users_table_arn" {
  type        = string
  description = "ARN of the users table (gateway)."
}

variable "refresh_tokens_table_arn" {
  type        = string
  description = "ARN of the refresh-tokens table (gateway)."
}

variable "uploads_table_arn" {
  type        = string
  description = "ARN of the uploads table (sessions)."
}

variable "files_table_arn" {
  type        = string
  description = "ARN of the files table (sessions)."
}

variable "bucket_arn" {
  type        = string
  description = "ARN of the object bucket; tasks get access to <bucket_arn>/files/* only."
}

variable "assembly_queue_arn" {
  type        = string
  description = "ARN of the assembly FIFO queue (uploads send, sessions consume)."
}

variable "secret_arns" {
  type        = list(string)
  description = "Secrets Manager secret ARNs the task execution role may read to inject into containers (not the keys)."
}

variable "key_secret_arns" {
  type = object({
    jwt_private_keys          = string
    gateway_caller_key        = string
    gateway_caller_public_key = string
    uploads_caller_key        = string
    uploads_caller_public_key = string
    sessions_tls              = string
    sessions_tls_ca           = string
  })
  description = "The key secrets of modules/secrets: each task role may write its own and read only the public ones it needs."
}

variable "ecr_repository_arns" {
  type        = list(string)
  description = "ECR repository ARNs the task execution role may pull from."
}

variable "log_group_arns" {
  type        = list(string)
  description = "CloudWatch log group ARNs (without the trailing :*) the task execution role writes container logs to."
}

variable "mail_identity_arn" {
  type        = string
  description = "ARN of the SES identity the gateway sends account mail as (ses:SendEmail is scoped to it)."
}

variable "mail_from_address" {
  type        = string
  description = "The only From address the gateway may send with (ses:FromAddress condition)."
}

variable "tracing_enabled" {
  type        = bool
  description = "Whether the task roles may send trace segments to X-Ray (the collector sidecar signs with the task role)."
  default     = false
}
