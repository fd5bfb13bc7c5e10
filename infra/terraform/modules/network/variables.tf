variable "prefix" {
  type        = string
  description = "Name prefix for every resource (see the stack module)."
}

variable "vpc_cidr" {
  type        = string
  description = "CIDR block of the VPC; split into two public and two private subnets (/20 each for a /16)."
  default     = "10.40.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && try(tonumber(split("/", var.vpc_cidr)[1]) <= 20, false)
    error_message = "vpc_cidr must be a valid IPv4 CIDR block of /20 or larger."
  }
}

variable "single_nat_gateway" {
  type        = bool
  description = "One NAT gateway shared by both AZs (cheaper, dev) instead of one per AZ (survives an AZ outage, prod)."
  default     = false
}

variable "gateway_port" {
  type        = number
  description = "Container port of the gateway (HTTP)."
  default     = 8080
}

variable "uploads_port" {
  type        = number
  description = "Container port of the uploads workers (HTTP)."
  default     = 8081
}

variable "sessions_grpc_port" {
  type        = number
  description = "gRPC port of the sessions service."
  default     = 50051
}

variable "sessions_ops_port" {
  type        = number
  description = "Ops port of the sessions service (/healthz, /readyz, /metrics)."
  default     = 9091
}
