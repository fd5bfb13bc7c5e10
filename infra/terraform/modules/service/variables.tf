variable "prefix" {
  type        = string
  description = "Name prefix (task family <prefix>-<name>, scaling policy names)."
}

variable "name" {
  type        = string
  description = "Service and container name: gateway, sessions or uploads."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,31}$", var.name))
    error_message = "name must be lowercase letters, digits and dashes, starting with a letter, at most 32 characters."
  }
}

variable "cluster_arn" {
  type        = string
  description = "ARN of the ECS cluster to run in."
}

variable "cluster_name" {
  type        = string
  description = "Name of the ECS cluster (for the autoscaling resource id)."
}

variable "image" {
  type        = string
  description = "Container image with tag or digest, e.g. <account>.dkr.ecr.<region>.amazonaws.com/<prefix>/gateway:latest."
}

variable "cpu" {
  type        = number
  description = "Fargate task CPU units (256 = 0.25 vCPU)."
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.cpu)
    error_message = "cpu must be a Fargate size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "memory" {
  type        = number
  description = "Fargate task memory in MiB, one of the sizes Fargate offers for cpu (Linux): 256 → 512, 1024, 2048; 512 → 1024-4096; 1024 → 2048-8192; 2048 → 4096-16384; 4096 → 8192-30720 (1 GiB steps); 8192 → 16384-61440 (4 GiB steps); 16384 → 32768-122880 (8 GiB steps)."
  default     = 1024

  # https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
  validation {
    condition = contains(lookup(tomap({
      "256"   = [512, 1024, 2048]
      "512"   = range(1024, 4097, 1024)
      "1024"  = range(2048, 8193, 1024)
      "2048"  = range(4096, 16385, 1024)
      "4096"  = range(8192, 30721, 1024)
      "8192"  = range(16384, 61441, 4096)
      "16384" = range(32768, 122881, 8192)
    }), tostring(var.cpu), []), var.memory)
    error_message = "memory is not a Fargate size for this cpu: 256 → 512, 1024, 2048; 512 → 1024-4096; 1024 → 2048-8192; 2048 → 4096-16384; 4096 → 8192-30720 (1024 steps); 8192 → 16384-61440 (4096 steps); 16384 → 32768-122880 (8192 steps)."
  }
}

variable "cpu_architecture" {
  type        = string
  description = "CPU architecture the image is built for: X86_64 (docker build --platform linux/amd64) or ARM64 (Graviton, cheaper)."
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "capacity_provider" {
  type        = string
  description = "FARGATE, or FARGATE_SPOT (cheaper; tasks may be interrupted with a two-minute warning)."
  default     = "FARGATE"

  validation {
    condition     = contains(["FARGATE", "FARGATE_SPOT"], var.capacity_provider)
    error_message = "capacity_provider must be FARGATE or FARGATE_SPOT."
  }
}

variable "container_ports" {
  type        = list(number)
  description = "TCP ports the container listens on (the first is the main one)."

  validation {
    condition     = length(var.container_ports) > 0 && alltrue([for p in var.container_ports : p >= 1024 && p <= 65535])
    error_message = "container_ports must list at least one port between 1024 and 65535 (the containers run as a non-root user)."
  }
}

variable "environment" {
  type        = map(string)
  description = "Plain environment variables for the container (name => value); empty values are left out, as ECS does."
  default     = {}
}

variable "tracing" {
  type = object({
    # Share of traces kept (parentbased_traceidratio): a trace is kept or dropped whole, decided
    # once from its id, so every service keeps the same traces.
    sampling_ratio = number
    # The AWS Distro for OpenTelemetry collector, run as a sidecar that forwards to X-Ray.
    collector_image = string
  })
  description = "OpenTelemetry traces to X-Ray through an ADOT collector sidecar; null = tracing off (no SDK is loaded)."
  default     = null

  validation {
    condition     = var.tracing == null || (try(var.tracing.sampling_ratio, 0) >= 0 && try(var.tracing.sampling_ratio, 0) <= 1)
    error_message = "tracing.sampling_ratio must be between 0 and 1."
  }
}

variable "secrets" {
  type        = map(string)
  description = "Environment variables injected from Secrets Manager (name => secret ARN; \"\" = leave out); the execution role must be allowed to read them."
  default     = {}
}

variable "task_role_arn" {
  type        = string
  description = "IAM role the application code runs with."
}

variable "execution_role_arn" {
  type        = string
  description = "IAM role ECS uses to pull the image, write logs and read the secrets."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets the tasks run in."
}

variable "security_group_ids" {
  type        = list(string)
  description = "Security groups attached to the tasks."
}

variable "container_user" {
  type        = string
  description = "User the container runs as; the images are built to run as the unprivileged `node` user."
  default     = "node"
}

variable "stop_timeout_seconds" {
  type        = number
  description = "Seconds between SIGTERM and SIGKILL; keep it above the service's SHUTDOWN_GRACE_MS."
  default     = 40

  validation {
    condition     = var.stop_timeout_seconds >= 2 && var.stop_timeout_seconds <= 120
    error_message = "stop_timeout_seconds must be between 2 and 120 (Fargate limit)."
  }
}

variable "log_group_name" {
  type        = string
  description = "CloudWatch log group for the container's JSON logs (created here)."
}

variable "log_retention_days" {
  type        = number
  description = "Days CloudWatch keeps the logs."
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, ...)."
  }
}

variable "health_check_path" {
  type        = string
  description = "HTTP path the container health check requests (200 = healthy). Liveness: /healthz answers while the process is alive; /readyz also checks dependencies, and a dependency's outage must not make ECS restart every task (the ALB's target groups probe /readyz instead)."
  default     = "/healthz"
}

variable "health_check_port" {
  type        = number
  description = "Port the container health check requests (the ops port for gRPC services)."
}

variable "desired_count" {
  type        = number
  description = "Tasks started on the first deployment; afterwards autoscaling owns the count (Terraform ignores drift)."
  default     = 1
}

variable "min_capacity" {
  type        = number
  description = "Autoscaling floor."
  default     = 1

  validation {
    condition     = var.min_capacity >= 0
    error_message = "min_capacity must not be negative."
  }
}

variable "max_capacity" {
  type        = number
  description = "Autoscaling ceiling."
  default     = 4

  validation {
    condition     = var.max_capacity >= 1
    error_message = "max_capacity must be at least 1."
  }
}

variable "cpu_target_utilization" {
  type        = number
  description = "Target average CPU % for target-tracking autoscaling; null turns CPU scaling off."
  default     = 60

  validation {
    condition     = var.cpu_target_utilization == null || try(var.cpu_target_utilization > 0 && var.cpu_target_utilization <= 100, false)
    error_message = "cpu_target_utilization must be null or between 1 and 100."
  }
}

variable "queue_scaling" {
  type = object({
    queue_name              = string
    backlog_per_task_target = number
  })
  description = "Target tracking on an SQS queue's backlog per task: ApproximateNumberOfMessagesVisible / running tasks (Container Insights' RunningTaskCount; the cluster must have it on). Tasks are added while more messages than the target wait per task; null = off."
  default     = null
}

variable "load_balancer" {
  type = object({
    target_group_arn = string
    container_port   = number
  })
  description = "ALB target group the service registers its tasks in; null = not behind the load balancer."
  default     = null
}

variable "health_check_grace_period_seconds" {
  type        = number
  description = "Seconds ECS ignores failing load balancer health checks after a task starts (only with load_balancer)."
  default     = 60
}

variable "service_discovery" {
  type = object({
    namespace_id = string
  })
  description = "Cloud Map private DNS namespace to register the tasks in as <name>.<namespace> (A records); null = no registration."
  default     = null
}
