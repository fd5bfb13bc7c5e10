# One ECS Fargate service: task definition (non-root, all Linux capabilities dropped, init
# process, JSON logs to CloudWatch, health check, optional OpenTelemetry collector sidecar), optional ALB target group and Cloud Map
# registration, and target-tracking autoscaling on CPU and/or an SQS backlog per task.

data "aws_region" "current" {}

locals {
  # Tracing: the service exports OTLP/HTTP to the collector beside it in the task (loopback), which
  # batches, retries and signs for X-Ray with the task role. The keys are the standard OTEL_* ones
  # (commons/src/telemetry/settings.ts validates them; infra/test/agreement.test.ts checks them).
  tracing_keys = {
    OTEL_SERVICE_NAME           = var.name
    OTEL_TRACES_EXPORTER        = "otlp"
    OTEL_EXPORTER_OTLP_PROTOCOL = "http/protobuf"
    OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:4318"
    OTEL_TRACES_SAMPLER         = "parentbased_traceidratio"
    OTEL_TRACES_SAMPLER_ARG     = try(tostring(var.tracing.sampling_ratio), "")
  }
  tracing_environment = var.tracing == null ? {} : local.tracing_keys
  all_environment     = merge(var.environment, local.tracing_environment)
  environment         = [for key in sort(keys(local.all_environment)) : { name = key, value = local.all_environment[key] } if local.all_environment[key] != ""]

  # The collector's pipeline: OTLP/HTTP on loopback in, X-Ray out (W3C trace ids are accepted as
  # they are). https://aws-otel.github.io/docs/getting-started/x-ray
  collector_config = yamlencode({
    receivers  = { otlp = { protocols = { http = { endpoint = "127.0.0.1:4318" } } } }
    processors = { batch = { timeout = "5s" } }
    exporters  = { awsxray = { region = data.aws_region.current.name, indexed_attributes = ["lfusys.upload.id"] } }
    service    = { pipelines = { traces = { receivers = ["otlp"], processors = ["batch"], exporters = ["awsxray"] } } }
  })
  collector_name = "otel-collector"
  collector_container = var.tracing == null ? [] : [{
    name      = local.collector_name
    image     = var.tracing.collector_image
    essential = false # losing spans must never stop the service
    # ADOT reads its configuration from this variable instead of a file.
    environment = [{ name = "AOT_CONFIG_CONTENT", value = local.collector_config }]
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.this.name
        "awslogs-region"        = data.aws_region.current.name
        "awslogs-stream-prefix" = "${var.name}-otel-collector"
        "mode"                  = "non-blocking"
      }
    }
  }]
  # A secret whose ARN is "" is not configured (an identity provider that is off): left out too.
  secrets = [for key in sort(keys(var.secrets)) : { name = key, valueFrom = var.secrets[key] } if var.secrets[key] != ""]
}

resource "aws_cloudwatch_log_group" "this" {
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
}

resource "aws_ecs_task_definition" "this" {
  family                   = "${var.prefix}-${var.name}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  container_definitions = jsonencode(concat([
    {
      name      = var.name
      image     = var.image
      essential = true
      user      = var.container_user

      portMappings = [for port in var.container_ports : {
        containerPort = port
        hostPort      = port
        protocol      = "tcp"
      }]

      # ECS drops variables whose value is empty and empty lists, which would make every plan show
      # a diff (and every apply a new revision): leave them out (the services read unset as empty).
      environment = length(local.environment) > 0 ? local.environment : null
      secrets     = length(local.secrets) > 0 ? local.secrets : null

      # node is always in the image (curl/wget may not be): a GET on the health path, 2xx = healthy.
      healthCheck = {
        command = [
          "CMD", "node", "-e",
          "fetch('http://127.0.0.1:${var.health_check_port}${var.health_check_path}',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
        ]
        interval    = 30
        timeout     = 5
        retries     = 3
        startPeriod = 60
      }

      linuxParameters = {
        initProcessEnabled = true # forwards SIGTERM to node and reaps zombies
        capabilities = {
          drop = ["ALL"]
        }
      }

      stopTimeout = var.stop_timeout_seconds

      # ECS stops containers in the reverse order of their START dependencies: the service first
      # (its drain, then its last spans flushed to the collector), the collector after it, so the
      # spans of the drain reach X-Ray (docs/tracing.md, "Sampling and cost").
      dependsOn = var.tracing == null ? null : [{ containerName = local.collector_name, condition = "START" }]

      logConfiguration = {
        logDriver = "awslogs"
        options = {
          "awslogs-group"         = aws_cloudwatch_log_group.this.name
          "awslogs-region"        = data.aws_region.current.name
          "awslogs-stream-prefix" = var.name
          "mode"                  = "non-blocking"
          "max-buffer-size"       = "25m"
        }
      }
    }
  ], local.collector_container))
}

resource "aws_service_discovery_service" "this" {
  count = var.service_discovery == null ? 0 : 1

  name = var.name

  dns_config {
    namespace_id   = var.service_discovery.namespace_id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  # ECS reports task health to Cloud Map; unhealthy or stopped tasks leave the DNS answers.
  # (AWS now always uses 1; newer provider versions warn that the argument is deprecated.)
  health_check_custom_config {
    failure_threshold = 1
  }
}

resource "aws_ecs_service" "this" {
  name                               = var.name
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_count
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.load_balancer == null ? null : var.health_check_grace_period_seconds
  enable_execute_command             = false
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = false

  capacity_provider_strategy {
    capacity_provider = var.capacity_provider
    weight            = 1
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.load_balancer == null ? [] : [var.load_balancer]

    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = var.name
      container_port   = load_balancer.value.container_port
    }
  }

  dynamic "service_registries" {
    for_each = aws_service_discovery_service.this

    content {
      registry_arn = service_registries.value.arn
    }
  }

  lifecycle {
    # Autoscaling changes the count; Terraform must not reset it on every apply.
    ignore_changes = [desired_count]
  }
}

# ---------------------------------------------------------------------------------------------
# Autoscaling. Several target-tracking policies combine safely: ECS scales out when any policy
# asks for it and in only when all of them agree.
# ---------------------------------------------------------------------------------------------

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${var.cluster_name}/${aws_ecs_service.this.name}"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity

  lifecycle {
    precondition {
      condition     = var.min_capacity <= var.desired_count && var.desired_count <= var.max_capacity
      error_message = "desired_count must be between min_capacity and max_capacity."
    }
  }
}

resource "aws_appautoscaling_policy" "cpu" {
  count = var.cpu_target_utilization == null ? 0 : 1

  name               = "${var.prefix}-${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_utilization
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "queue" {
  count = var.queue_scaling == null ? 0 : 1

  name               = "${var.prefix}-${var.name}-queue-backlog"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this.service_namespace
  scalable_dimension = aws_appautoscaling_target.this.scalable_dimension
  resource_id        = aws_appautoscaling_target.this.resource_id

  # Backlog per task, AWS's recipe for queue consumers: with a raw queue depth target, the number
  # of tasks would not change how many messages each one has to work through.
  # https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html
  target_tracking_scaling_policy_configuration {
    target_value       = var.queue_scaling.backlog_per_task_target
    scale_out_cooldown = 60
    scale_in_cooldown  = 300

    customized_metric_specification {
      metrics {
        id          = "visible"
        return_data = false

        metric_stat {
          stat = "Sum"

          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesVisible"

            dimensions {
              name  = "QueueName"
              value = var.queue_scaling.queue_name
            }
          }
        }
      }

      metrics {
        id          = "running"
        return_data = false

        metric_stat {
          stat = "Average"

          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"

            dimensions {
              name  = "ClusterName"
              value = var.cluster_name
            }

            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.this.name
            }
          }
        }
      }

      metrics {
        id          = "backlog_per_task"
        label       = "assembly messages waiting per running task"
        expression  = "visible / running"
        return_data = true
      }
    }
  }
}
