# VPC with two public subnets (ALB, NAT) and two private subnets (every task), NAT for the
# tasks' outbound calls (ECR, Secrets Manager, CloudWatch, SQS), free gateway endpoints so S3 and
# DynamoDB traffic (every chunk goes to S3) bypasses NAT, and one security group per tier.

data "aws_availability_zones" "available" {
  state = "available"

  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

data "aws_region" "current" {}

locals {
  azs       = slice(data.aws_availability_zones.available.names, 0, 2)
  nat_count = var.single_nat_gateway ? 1 : length(local.azs)
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true # Cloud Map private DNS needs both

  tags = { Name = "${var.prefix}-vpc" }
}

# Take every rule away from the default security group so nothing uses it by accident.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.prefix}-default-unused" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.prefix}-igw" }
}

resource "aws_subnet" "public" {
  count = length(local.azs)

  vpc_id                  = aws_vpc.this.id
  availability_zone       = local.azs[count.index]
  cidr_block              = cidrsubnet(var.vpc_cidr, 4, count.index)
  map_public_ip_on_launch = false

  tags = { Name = "${var.prefix}-public-${local.azs[count.index]}", Tier = "public" }
}

resource "aws_subnet" "private" {
  count = length(local.azs)

  vpc_id            = aws_vpc.this.id
  availability_zone = local.azs[count.index]
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index + 8)

  tags = { Name = "${var.prefix}-private-${local.azs[count.index]}", Tier = "private" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.prefix}-public" }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = length(local.azs)

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"

  tags = { Name = "${var.prefix}-nat-${local.azs[count.index]}" }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = { Name = "${var.prefix}-nat-${local.azs[count.index]}" }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "private" {
  count = length(local.azs)

  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.prefix}-private-${local.azs[count.index]}" }
}

resource "aws_route" "private_nat" {
  count = length(local.azs)

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "private" {
  count = length(local.azs)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# Gateway endpoints cost nothing and keep chunk traffic to S3 (and all DynamoDB calls) off NAT.
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id

  tags = { Name = "${var.prefix}-s3" }
}

resource "aws_vpc_endpoint" "dynamodb" {
  vpc_id            = aws_vpc.this.id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.dynamodb"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id

  tags = { Name = "${var.prefix}-dynamodb" }
}

# ---------------------------------------------------------------------------------------------
# Security groups. Only the ALB is reachable from the internet; gateway and uploads from the ALB,
# and the gateway's port also from the uploads workers (its JWKS, fetched inside the VPC through
# Cloud Map); sessions (gRPC + ops) only from gateway and uploads. Tasks may call out on 443 (AWS
# APIs, ECR, Secrets Manager, CloudWatch).
# A changed description or VPC replaces a security group: name_prefix (a unique suffix) and
# create_before_destroy let the new group be created and attached before the old one goes,
# where a fixed name would collide and a destroy-first would fail while tasks still use it.
# ---------------------------------------------------------------------------------------------

resource "aws_security_group" "alb" {
  name_prefix = "${var.prefix}-alb-"
  description = "Public load balancer: HTTPS and HTTP (redirected) from the internet"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.prefix}-alb" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "gateway" {
  name_prefix = "${var.prefix}-gateway-"
  description = "gateway tasks: HTTP from the ALB and the uploads workers"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.prefix}-gateway" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "uploads" {
  name_prefix = "${var.prefix}-uploads-"
  description = "uploads workers: HTTP from the ALB only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.prefix}-uploads" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_security_group" "sessions" {
  name_prefix = "${var.prefix}-sessions-"
  description = "sessions tasks: gRPC and ops port from gateway and uploads only"
  vpc_id      = aws_vpc.this.id

  tags = { Name = "${var.prefix}-sessions" }

  lifecycle {
    create_before_destroy = true
  }
}

# ALB

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from the internet"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from the internet (redirected to HTTPS)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_gateway" {
  security_group_id            = aws_security_group.alb.id
  description                  = "to the gateway tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.gateway_port
  to_port                      = var.gateway_port
  referenced_security_group_id = aws_security_group.gateway.id
}

resource "aws_vpc_security_group_egress_rule" "alb_to_uploads" {
  security_group_id            = aws_security_group.alb.id
  description                  = "to the uploads workers"
  ip_protocol                  = "tcp"
  from_port                    = var.uploads_port
  to_port                      = var.uploads_port
  referenced_security_group_id = aws_security_group.uploads.id
}

# gateway

resource "aws_vpc_security_group_ingress_rule" "gateway_from_alb" {
  security_group_id            = aws_security_group.gateway.id
  description                  = "HTTP from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = var.gateway_port
  to_port                      = var.gateway_port
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_ingress_rule" "gateway_from_uploads" {
  security_group_id            = aws_security_group.gateway.id
  description                  = "HTTP from the uploads workers (the JWKS)"
  ip_protocol                  = "tcp"
  from_port                    = var.gateway_port
  to_port                      = var.gateway_port
  referenced_security_group_id = aws_security_group.uploads.id
}

# uploads

resource "aws_vpc_security_group_ingress_rule" "uploads_from_alb" {
  security_group_id            = aws_security_group.uploads.id
  description                  = "HTTP from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = var.uploads_port
  to_port                      = var.uploads_port
  referenced_security_group_id = aws_security_group.alb.id
}

# sessions: gRPC and ops from gateway and uploads

resource "aws_vpc_security_group_ingress_rule" "sessions_grpc_from_gateway" {
  security_group_id            = aws_security_group.sessions.id
  description                  = "gRPC from the gateway"
  ip_protocol                  = "tcp"
  from_port                    = var.sessions_grpc_port
  to_port                      = var.sessions_grpc_port
  referenced_security_group_id = aws_security_group.gateway.id
}

resource "aws_vpc_security_group_ingress_rule" "sessions_grpc_from_uploads" {
  security_group_id            = aws_security_group.sessions.id
  description                  = "gRPC from the uploads workers"
  ip_protocol                  = "tcp"
  from_port                    = var.sessions_grpc_port
  to_port                      = var.sessions_grpc_port
  referenced_security_group_id = aws_security_group.uploads.id
}

resource "aws_vpc_security_group_ingress_rule" "sessions_ops_from_gateway" {
  security_group_id            = aws_security_group.sessions.id
  description                  = "ops (/readyz, /metrics) from the gateway"
  ip_protocol                  = "tcp"
  from_port                    = var.sessions_ops_port
  to_port                      = var.sessions_ops_port
  referenced_security_group_id = aws_security_group.gateway.id
}

resource "aws_vpc_security_group_ingress_rule" "sessions_ops_from_uploads" {
  security_group_id            = aws_security_group.sessions.id
  description                  = "ops (/readyz, /metrics) from the uploads workers"
  ip_protocol                  = "tcp"
  from_port                    = var.sessions_ops_port
  to_port                      = var.sessions_ops_port
  referenced_security_group_id = aws_security_group.uploads.id
}

# Outbound from the tasks.

resource "aws_vpc_security_group_egress_rule" "gateway_to_sessions" {
  security_group_id            = aws_security_group.gateway.id
  description                  = "gRPC to sessions"
  ip_protocol                  = "tcp"
  from_port                    = var.sessions_grpc_port
  to_port                      = var.sessions_grpc_port
  referenced_security_group_id = aws_security_group.sessions.id
}

resource "aws_vpc_security_group_egress_rule" "uploads_to_sessions" {
  security_group_id            = aws_security_group.uploads.id
  description                  = "gRPC to sessions"
  ip_protocol                  = "tcp"
  from_port                    = var.sessions_grpc_port
  to_port                      = var.sessions_grpc_port
  referenced_security_group_id = aws_security_group.sessions.id
}

resource "aws_vpc_security_group_egress_rule" "uploads_to_gateway" {
  security_group_id            = aws_security_group.uploads.id
  description                  = "HTTP to the gateway (the JWKS)"
  ip_protocol                  = "tcp"
  from_port                    = var.gateway_port
  to_port                      = var.gateway_port
  referenced_security_group_id = aws_security_group.gateway.id
}

resource "aws_vpc_security_group_egress_rule" "gateway_to_sessions_ops" {
  security_group_id            = aws_security_group.gateway.id
  description                  = "ops (/readyz, /metrics) of sessions"
  ip_protocol                  = "tcp"
  from_port                    = var.sessions_ops_port
  to_port                      = var.sessions_ops_port
  referenced_security_group_id = aws_security_group.sessions.id
}

resource "aws_vpc_security_group_egress_rule" "uploads_to_sessions_ops" {
  security_group_id            = aws_security_group.uploads.id
  description                  = "ops (/readyz, /metrics) of sessions"
  ip_protocol                  = "tcp"
  from_port                    = var.sessions_ops_port
  to_port                      = var.sessions_ops_port
  referenced_security_group_id = aws_security_group.sessions.id
}

resource "aws_vpc_security_group_egress_rule" "https_out" {
  for_each = {
    gateway  = aws_security_group.gateway.id
    uploads  = aws_security_group.uploads.id
    sessions = aws_security_group.sessions.id
  }

  security_group_id = each.value
  description       = "HTTPS to AWS APIs and ECR"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
