# The ECS cluster (Fargate and Fargate Spot capacity) and the Cloud Map private DNS namespace the
# sessions service registers in, so gateway and uploads reach it at sessions.<prefix>.internal.

resource "aws_ecs_cluster" "this" {
  name = var.prefix

  # Always on: the running-task alarms and sessions' backlog-per-task scaling read its
  # RunningTaskCount (ECS/ContainerInsights), which nothing else publishes.
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_service_discovery_private_dns_namespace" "this" {
  name        = "${var.prefix}.internal"
  description = "lfusys service discovery (sessions gRPC)"
  vpc         = var.vpc_id
}
