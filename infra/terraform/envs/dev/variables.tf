# Only what differs between operators. What differs between dev and prod is written in main.tf.

variable "aws_region" {
  type        = string
  description = "AWS region of the whole stack (the ACM certificate must be in this region too)."

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1."
  }
}

variable "prefix" {
  type        = string
  description = "Prefix of every resource name (RESOURCE_PREFIX); the object bucket is <prefix>-objects and bucket names are global, so pick one nobody else uses (3-24 lowercase letters, digits, dashes)."
}

variable "domain_name" {
  type        = string
  description = "Host name the app is served at, e.g. files.example.com."
}

variable "certificate_arn" {
  type        = string
  description = "ARN of an issued ACM certificate for domain_name in aws_region; null = Terraform requests one and validates it by DNS in route53_zone_id (one of the two is needed)."
  default     = null
}

variable "route53_zone_id" {
  type        = string
  description = "Route 53 hosted zone id for domain_name, to create the alias record (and the certificate's validation record without certificate_arn); null = create the DNS record yourself."
  default     = null
}

variable "mail_identity" {
  type        = string
  description = "SES identity for account mail: a domain (sends as no-reply@<domain>) or one address; null = domain_name."
  default     = null
}

variable "alarm_email" {
  type        = string
  description = "Email address for alarm notifications; null = none."
  default     = null
}

variable "image_tag" {
  type        = string
  description = "Image tag the three services run."
  default     = "latest"
}
