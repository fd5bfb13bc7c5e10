variable "prefix" {
  type        = string
  description = "Name prefix: tables are named <prefix>-users, <prefix>-refresh-tokens, <prefix>-uploads, <prefix>-files (RESOURCE_PREFIX in the services)."
}

variable "deletion_protection" {
  type        = bool
  description = "Turn on DynamoDB deletion protection for every table (prod: true; dev: false so `terraform destroy` works)."
}
