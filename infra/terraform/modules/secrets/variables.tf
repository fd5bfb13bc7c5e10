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
