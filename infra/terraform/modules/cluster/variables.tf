variable "prefix" {
  type        = string
  description = "Name prefix: the cluster is <prefix>, the private DNS namespace <prefix>.internal."
}

variable "vpc_id" {
  type        = string
  description = "VPC the Cloud Map private DNS namespace is attached to."
}
