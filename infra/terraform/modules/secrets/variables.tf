variable "prefix" {
  type        = string
  description = "Name prefix: secrets are <prefix>/JWT_PRIVATE_KEYS, <prefix>/CSRF_SECRET, ..."
}

variable "github_enabled" {
  type        = bool
  description = "Create <prefix>/GITHUB_CLIENT_SECRET (sign-in with GitHub is configured)."
  default     = false
}

variable "google_enabled" {
  type        = bool
  description = "Create <prefix>/GOOGLE_CLIENT_SECRET (sign-in with Google is configured)."
  default     = false
}

variable "oidc_providers_enabled" {
  type        = bool
  description = "Create <prefix>/OIDC_PROVIDERS (other OIDC issuers are configured)."
  default     = false
}

variable "recovery_window_in_days" {
  type        = number
  description = "Days a deleted secret can be restored; 0 deletes immediately (dev, so a destroyed stack can be re-created with the same names)."
  default     = 30

  validation {
    condition     = var.recovery_window_in_days == 0 || (var.recovery_window_in_days >= 7 && var.recovery_window_in_days <= 30)
    error_message = "recovery_window_in_days must be 0 or between 7 and 30."
  }
}

variable "csrf_secret_version" {
  type        = number
  description = "Raise to generate and store a new CSRF_SECRET."
  default     = 1

  validation {
    condition     = var.csrf_secret_version >= 1 && floor(var.csrf_secret_version) == var.csrf_secret_version
    error_message = "csrf_secret_version must be a whole number, at least 1."
  }
}

