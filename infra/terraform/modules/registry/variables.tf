variable "prefix" {
  type        = string
  description = "Name prefix: repositories are <prefix>/gateway, <prefix>/sessions, <prefix>/uploads."
}

variable "image_tag_mutability" {
  type        = string
  description = "MUTABLE lets the README's `latest` + force-new-deployment flow work; IMMUTABLE forces a new tag per release (set image_tag accordingly)."
  default     = "MUTABLE"

  validation {
    condition     = contains(["MUTABLE", "IMMUTABLE"], var.image_tag_mutability)
    error_message = "image_tag_mutability must be MUTABLE or IMMUTABLE."
  }
}

variable "force_delete" {
  type        = bool
  description = "Let `terraform destroy` delete repositories that still hold images (dev only)."
  default     = false
}

variable "keep_images" {
  type        = number
  description = "How many most recent images each repository keeps; older ones are expired."
  default     = 20

  validation {
    condition     = var.keep_images >= 1
    error_message = "keep_images must be at least 1."
  }
}
