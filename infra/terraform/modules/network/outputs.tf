output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "IDs of the two public subnets (ALB, NAT gateways)."
  value       = aws_subnet.public[*].id
}

output "public_subnet_cidrs" {
  description = "CIDR blocks of the public subnets: the load balancer's nodes take their addresses from these, so the gateway trusts X-Forwarded-For only from them."
  value       = aws_subnet.public[*].cidr_block
}

output "private_subnet_ids" {
  description = "IDs of the two private subnets (every ECS task)."
  value       = aws_subnet.private[*].id
}

output "alb_security_group_id" {
  description = "Security group of the public load balancer."
  value       = aws_security_group.alb.id
}

output "gateway_security_group_id" {
  description = "Security group of the gateway tasks."
  value       = aws_security_group.gateway.id
}

output "uploads_security_group_id" {
  description = "Security group of the uploads workers."
  value       = aws_security_group.uploads.id
}

output "sessions_security_group_id" {
  description = "Security group of the sessions tasks."
  value       = aws_security_group.sessions.id
}

output "nat_public_ips" {
  description = "Public IPs the tasks' outbound traffic leaves from."
  value       = aws_eip.nat[*].public_ip
}
