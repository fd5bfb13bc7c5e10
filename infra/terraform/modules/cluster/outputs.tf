output "cluster_arn" {
  description = "ARN of the ECS cluster (available once its capacity providers are attached)."
  value       = aws_ecs_cluster.this.arn

  # Services use a capacity provider strategy: they must not be created before it is attached.
  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

output "cluster_name" {
  description = "Name of the ECS cluster (for aws ecs update-service --cluster)."
  value       = aws_ecs_cluster_capacity_providers.this.cluster_name
}

output "namespace_id" {
  description = "ID of the Cloud Map private DNS namespace."
  value       = aws_service_discovery_private_dns_namespace.this.id
}

output "namespace_name" {
  description = "DNS name of the Cloud Map namespace (<prefix>.internal)."
  value       = aws_service_discovery_private_dns_namespace.this.name
}
