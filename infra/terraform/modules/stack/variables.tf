# ---------------------------------------------------------------------------------------------
# Identity and edge
# ---------------------------------------------------------------------------------------------

variable "prefix" {
  type        = string
  description = "Prefix of every resource name (RESOURCE_PREFIX in the services): tables <prefix>-users..., bucket <prefix>-objects, queues <prefix>-assembly.fifo... S3 bucket names are global across all AWS accounts, so choose a prefix nobody else uses (e.g. acme-lfusys-prod). 3-24 characters (load balancer and target group names are limited to 32)."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{1,22}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 3-24 lowercase letters, digits and dashes, starting and ending with a letter or digit."
  }
}

variable "domain_name" {
  type        = string
  description = "Host name of the app (e.g. files.example.com); the app, API and chunk endpoint are all served at https://<domain_name>."

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.domain_name))
    error_message = "domain_name must be a lowercase DNS host name without scheme or path, e.g. files.example.com."
  }
}

variable "certificate_arn" {
  type        = string
  description = "ARN of an issued ACM certificate covering domain_name, in the stack's region; null = Terraform requests one and validates it by DNS in route53_zone_id."
  default     = null

  validation {
    condition     = var.certificate_arn != null || var.route53_zone_id != null
    error_message = "Give certificate_arn (an issued ACM certificate) or route53_zone_id (Terraform then requests a certificate for domain_name and validates it by DNS in that zone)."
  }
}

variable "route53_zone_id" {
  type        = string
  description = "Route 53 hosted zone of domain_name; when set, the alias record for the ALB is created (and, without certificate_arn, the certificate's DNS validation record). Null = point your DNS at the alb_dns_name output yourself and give certificate_arn."
  default     = null
}

variable "mail_identity" {
  type        = string
  description = "SES identity account mail is sent from: a domain (mail from no-reply@<domain>) or one address; null = domain_name."
  default     = null

  validation {
    condition     = var.mail_identity == null || can(regex("^([^@\\s]+@)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.mail_identity))
    error_message = "mail_identity must be a lowercase domain such as example.com or an address such as no-reply@example.com."
  }
}

variable "alarm_email" {
  type        = string
  description = "Email subscribed to the alarm SNS topic; null = no subscription."
  default     = null
}

# ---------------------------------------------------------------------------------------------
# Environment shape: durability, cost, retention
# ---------------------------------------------------------------------------------------------

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the VPC."
  default     = "10.40.0.0/16"
}

variable "single_nat_gateway" {
  type        = bool
  description = "One shared NAT gateway (dev, cheaper) instead of one per AZ (prod, survives the loss of an AZ)."
  default     = false
}

variable "deletion_protection" {
  type        = bool
  description = "Deletion protection on the DynamoDB tables and the load balancer."
}

variable "force_destroy" {
  type        = bool
  description = "Let `terraform destroy` delete a non-empty bucket and ECR repositories with images (dev only: deletes every stored file)."
  default     = false
}

variable "bucket_versioning" {
  type        = bool
  description = "Keep previous versions of deleted/overwritten objects for 30 days."
  default     = false
}

variable "secret_recovery_window_days" {
  type        = number
  description = "Days a deleted secret can still be restored (0 = immediate deletion)."
  default     = 30
}

variable "log_retention_days" {
  type        = number
  description = "Days CloudWatch keeps container logs."
  default     = 30
}

variable "capacity_provider" {
  type        = string
  description = "FARGATE or FARGATE_SPOT for every service (Spot is cheaper and may interrupt tasks; the pipeline tolerates it)."
  default     = "FARGATE"
}

# ---------------------------------------------------------------------------------------------
# Images and task sizes
# ---------------------------------------------------------------------------------------------

variable "image_tag" {
  type        = string
  description = "Tag of the three images the services run (pushed to the ECR repositories this stack creates)."
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid Docker tag."
  }
}

variable "image_tag_mutability" {
  type        = string
  description = "ECR tag mutability: MUTABLE (re-push `latest` and force a new deployment) or IMMUTABLE (a new image_tag per release)."
  default     = "MUTABLE"
}

variable "cpu_architecture" {
  type        = string
  description = "Architecture the images are built for: X86_64 or ARM64."
  default     = "X86_64"
}

variable "gateway_task" {
  type = object({
    cpu           = optional(number, 512)
    memory        = optional(number, 1024)
    desired_count = optional(number, 1)
    min_count     = optional(number, 1)
    max_count     = optional(number, 4)
  })
  description = "Size and count of the gateway tasks (argon2id needs ~19 MiB per concurrent login)."
  default     = {}
}

variable "sessions_task" {
  type = object({
    cpu           = optional(number, 512)
    memory        = optional(number, 1024)
    desired_count = optional(number, 1)
    min_count     = optional(number, 1)
    max_count     = optional(number, 4)
  })
  description = "Size and count of the sessions tasks (gRPC + assembly consumer + sweeper)."
  default     = {}
}

variable "uploads_task" {
  type = object({
    cpu           = optional(number, 1024)
    memory        = optional(number, 2048)
    desired_count = optional(number, 1)
    min_count     = optional(number, 1)
    max_count     = optional(number, 6)
  })
  description = "Size and count of the uploads worker tasks (each runs `uploads_workers` processes)."
  default     = {}
}

# ---------------------------------------------------------------------------------------------
# Application settings
# ---------------------------------------------------------------------------------------------

variable "log_level" {
  type        = string
  description = "LOG_LEVEL of every service."
  default     = "info"

  validation {
    condition     = contains(["fatal", "error", "warn", "info", "debug", "trace", "silent"], var.log_level)
    error_message = "log_level must be one of fatal, error, warn, info, debug, trace, silent."
  }
}

variable "jwt_issuer" {
  type        = string
  description = "JWT_ISSUER shared by the gateway (signs) and the uploads workers (verify)."
  default     = "lfusys"
}

variable "uploads_workers" {
  type        = number
  description = "WORKERS: node:cluster processes per uploads task (about one per vCPU, at least 2)."
  default     = 2

  validation {
    condition     = var.uploads_workers >= 1 && var.uploads_workers <= 64
    error_message = "uploads_workers must be between 1 and 64."
  }
}

variable "assembly_visibility_timeout_seconds" {
  type        = number
  description = "Visibility timeout of the assembly queue, passed unchanged to sessions as ASSEMBLY_VISIBILITY_TIMEOUT_SECONDS (the assembler's lease; a crashed consumer's message returns after it)."
  default     = 120

  validation {
    condition     = var.assembly_visibility_timeout_seconds >= 120 && var.assembly_visibility_timeout_seconds <= 43200
    error_message = "assembly_visibility_timeout_seconds must be between 120 and 43200."
  }
}

variable "chunk_size_bytes" {
  type        = number
  description = "CHUNK_SIZE_BYTES: default chunk size sessions hands out (an S3 part: at least 5 MiB, a multiple of 1 MiB)."
  default     = 16777216

  validation {
    condition     = var.chunk_size_bytes >= 5242880 && var.chunk_size_bytes <= 5368709120 && var.chunk_size_bytes % 1048576 == 0
    error_message = "chunk_size_bytes must be a multiple of 1 MiB between 5 MiB and 5 GiB."
  }
}

variable "max_file_bytes" {
  type        = number
  description = "MAX_FILE_BYTES: largest file a user may upload (S3 objects are limited to 5 TiB)."
  default     = 53687091200

  validation {
    condition     = var.max_file_bytes >= 1 && var.max_file_bytes <= 5497558138880
    error_message = "max_file_bytes must be between 1 byte and 5 TiB."
  }
}

variable "user_quota_bytes" {
  type        = number
  description = "USER_QUOTA_BYTES: total bytes each user may store."
  default     = 107374182400

  validation {
    condition     = var.user_quota_bytes >= 1
    error_message = "user_quota_bytes must be positive."
  }
}

variable "upload_transfer_default" {
  type        = string
  description = "UPLOAD_TRANSFER_DEFAULT: how uploads that do not ask travel: \"relay\" (through the uploads workers) or \"direct\" (browser to S3 on presigned part URLs). null: direct where direct_transfer_enabled, else relay (make bench: A′ vs A)."
  default     = null

  validation {
    condition     = var.upload_transfer_default == null || contains(["relay", "direct"], coalesce(var.upload_transfer_default, "relay"))
    error_message = "upload_transfer_default must be relay, direct or null."
  }
}

variable "direct_transfer_enabled" {
  type        = bool
  description = "DIRECT_TRANSFER_ENABLED: offer direct-to-S3 transfer; when false, asking for it is refused (409 transfer_unavailable) and every upload is relayed."
  default     = true
}

variable "part_url_ttl_seconds" {
  type        = number
  description = "PART_URL_TTL_SECONDS: lifetime of a presigned part URL (at most 15 minutes; clients ask again on expiry)."
  default     = 900

  validation {
    condition     = var.part_url_ttl_seconds >= 60 && var.part_url_ttl_seconds <= 900
    error_message = "part_url_ttl_seconds must be between 60 and 900."
  }
}

variable "sessions_queue_backlog_target" {
  type        = number
  description = "Sessions scale out while more assembly messages than this wait per running sessions task (target tracking on ApproximateNumberOfMessagesVisible / RunningTaskCount)."
  default     = 10

  validation {
    condition     = var.sessions_queue_backlog_target >= 1
    error_message = "sessions_queue_backlog_target must be at least 1."
  }
}

variable "github_client_id" {
  type        = string
  description = "Client id of the GitHub OAuth app for \"Sign in with GitHub\" (callback <app origin>/api/v1/auth/oidc/github/callback); \"\" = off. Its secret goes in <prefix>/GITHUB_CLIENT_SECRET."
  default     = ""
}

variable "google_client_id" {
  type        = string
  description = "Client id of the Google OAuth client for \"Sign in with Google\" (callback <app origin>/api/v1/auth/oidc/google/callback); \"\" = off. Its secret goes in <prefix>/GOOGLE_CLIENT_SECRET."
  default     = ""
}

variable "oidc_providers_enabled" {
  type        = bool
  description = "Offer the OIDC issuers listed in the <prefix>/OIDC_PROVIDERS secret (a JSON array of {id, name, issuer, clientId, clientSecret})."
  default     = false
}

variable "tracing_enabled" {
  type        = bool
  description = "OpenTelemetry traces of every service to X-Ray, through an ADOT collector sidecar per task (docs/tracing.md); false loads no tracing SDK at all."
  default     = true
}

variable "trace_sampling_ratio" {
  type        = number
  description = "Share of traces kept (parentbased_traceidratio, decided once per trace from its id). 5 % keeps the cost under the 5 % throughput budget and still shows every slow path within minutes."
  default     = 0.05

  validation {
    condition     = var.trace_sampling_ratio >= 0 && var.trace_sampling_ratio <= 1
    error_message = "trace_sampling_ratio must be between 0 and 1."
  }
}

variable "otel_collector_image" {
  type        = string
  description = "The AWS Distro for OpenTelemetry collector image of the tracing sidecar (an exact release; pin its digest where the registry is reachable)."
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
}
