# One CloudWatch dashboard, <prefix>, with the graphs to open first when an alarm fires: traffic
# and errors at the edge, target health, tasks per service, CPU and memory, the assembly queue,
# DynamoDB throttling and WAF blocks.

data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name
  alb    = var.alb_arn_suffix

  # Two graphs per row, in this order.
  graphs = concat([
    {
      title = "ALB requests and 5xx"
      metrics = [
        ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", local.alb, { stat = "Sum" }],
        ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", local.alb, { stat = "Sum" }],
        ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", local.alb, { stat = "Sum" }],
      ]
    },
    {
      title = "Target response time (p50, p99)"
      metrics = [
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.alb, { stat = "p50" }],
        ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.alb, { stat = "p99" }],
      ]
    },
    {
      title = "Healthy / unhealthy targets"
      metrics = flatten([for name, tg in var.target_group_arn_suffixes : [
        ["AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", tg, "LoadBalancer", local.alb, { stat = "Minimum", label = "${name} healthy" }],
        ["AWS/ApplicationELB", "UnHealthyHostCount", "TargetGroup", tg, "LoadBalancer", local.alb, { stat = "Maximum", label = "${name} unhealthy" }],
      ]])
    },
    {
      title = "Running / desired tasks"
      metrics = flatten([for name, service in var.service_names : [
        ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", var.cluster_name, "ServiceName", service, { label = "${name} running" }],
        ["ECS/ContainerInsights", "DesiredTaskCount", "ClusterName", var.cluster_name, "ServiceName", service, { label = "${name} desired" }],
      ]])
    },
    {
      title   = "CPU % per service"
      metrics = [for name, service in var.service_names : ["AWS/ECS", "CPUUtilization", "ClusterName", var.cluster_name, "ServiceName", service, { label = name }]]
    },
    {
      title   = "Memory % per service"
      metrics = [for name, service in var.service_names : ["AWS/ECS", "MemoryUtilization", "ClusterName", var.cluster_name, "ServiceName", service, { label = name }]]
    },
    {
      title = "Assembly queue: waiting, DLQ, oldest message (s, right)"
      metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.assembly_queue_name, { stat = "Maximum", label = "waiting" }],
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", var.assembly_dlq_name, { stat = "Maximum", label = "DLQ" }],
        ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", var.assembly_queue_name, { stat = "Maximum", label = "oldest", yAxis = "right" }],
      ]
    },
    {
      title = "DynamoDB throttle events"
      metrics = flatten([for name, table in var.table_names : [
        ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", table, { stat = "Sum", label = "${name} reads" }],
        ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", table, { stat = "Sum", label = "${name} writes" }],
      ]])
    },
    ], var.web_acl_name == null ? [] : [
    {
      # The web ACL's metric name is its name (waf.tf); Rule ALL = every blocking rule together.
      title   = "WAF blocked requests"
      metrics = [["AWS/WAFV2", "BlockedRequests", "WebACL", var.web_acl_name, "Rule", "ALL", "Region", local.region, { stat = "Sum" }]]
    },
  ])
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.prefix
  dashboard_body = jsonencode({
    widgets = [for i, graph in local.graphs : {
      type   = "metric"
      x      = (i % 2) * 12
      y      = floor(i / 2) * 6
      width  = 12
      height = 6
      properties = {
        title   = graph.title
        region  = local.region
        view    = "timeSeries"
        stacked = false
        period  = 60
        metrics = graph.metrics
      }
    }]
  })
}
