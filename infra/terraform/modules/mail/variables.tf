variable "identity" {
  type        = string
  description = "Domain (e.g. example.com, mail goes out as no-reply@example.com) or single address the gateway sends from."

  validation {
    condition     = can(regex("^([^@\\s]+@)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$", var.identity))
    error_message = "identity must be a lowercase domain such as example.com or an address such as no-reply@example.com."
  }
}

variable "route53_zone_id" {
  type        = string
  description = "Route 53 hosted zone of a domain identity, to create its DKIM records; null = create them yourself from the dkim_tokens output."
  default     = null
}
