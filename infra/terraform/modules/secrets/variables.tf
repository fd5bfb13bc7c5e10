variable "prefix" {
  type        = string
  description = "Name prefix: secrets are <prefix>/JWT_PRIVATE_KEYS and <prefix>/CSRF_SECRET."
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

