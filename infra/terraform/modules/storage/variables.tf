variable "prefix" {
  type        = string
  description = "Name prefix; the bucket is <prefix>-objects, and S3 bucket names are global, so the prefix must be unique across all AWS accounts (e.g. include your company or account alias)."
}

variable "app_origins" {
  type        = list(string)
  description = "Browser origins (https://<domain>) allowed by the bucket's CORS rules to PUT and GET objects directly (presigned URLs)."

  validation {
    condition     = length(var.app_origins) > 0 && alltrue([for o in var.app_origins : can(regex("^https?://[^/*]+$", o))])
    error_message = "app_origins must list at least one origin like https://files.example.com (scheme and host, no path, no wildcard)."
  }
}

variable "force_destroy" {
  type        = bool
  description = "Let `terraform destroy` delete the bucket with every stored file in it (dev only)."
  default     = false
}

variable "versioning_enabled" {
  type        = bool
  description = "Keep previous versions of overwritten or deleted objects (prod); they expire after noncurrent_version_expiration_days."
  default     = false
}

variable "noncurrent_version_expiration_days" {
  type        = number
  description = "Days after which a previous object version is deleted when versioning is on."
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days >= 1
    error_message = "noncurrent_version_expiration_days must be at least 1."
  }
}
