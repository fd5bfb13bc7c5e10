variable "prefix" {
  type        = string
  description = "Name prefix: the queues are <prefix>-assembly.fifo and <prefix>-assembly-dlq.fifo."
}

variable "visibility_timeout_seconds" {
  type        = number
  description = "Visibility timeout of the assembly queue; must be ≥ the assembler's lease, ASSEMBLY_VISIBILITY_TIMEOUT_SECONDS (the stack passes the same value to sessions)."
  default     = 120

  validation {
    condition     = var.visibility_timeout_seconds >= 120 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 120 and 43200 (SQS maximum)."
  }
}

variable "message_retention_seconds" {
  type        = number
  description = "How long an unconsumed assembly message is kept on the main queue (the DLQ keeps 14 days)."
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600."
  }
}
