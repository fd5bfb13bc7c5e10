# Alarms on the services' own health: fewer tasks running than ECS wants (crash loops, failed
# launches, no Fargate capacity), targets the ALB takes out of service, and DynamoDB throttling.
# Same SNS topic as main.tf.

# ECS wants desired_count tasks; Container Insights (always on, modules/cluster) reports both
# counts per service each minute. Deployments run extra tasks (running > desired, fine); a task
# being replaced is missing for a minute or two, so only five minutes in a row alarm. No data
# means Container Insights saw no service at all, which is as bad.
resource "aws_cloudwatch_metric_alarm" "running_tasks" {
  for_each = var.service_names

  alarm_name          = "${var.prefix}-${each.key}-running-below-desired"
  alarm_description   = "${each.key}: fewer tasks running than desired for 5 minutes. Check the service's events (aws ecs describe-services) and stopped tasks' reasons: image pull, secrets, health check, Fargate capacity."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "missing"
    label       = "tasks missing"
    expression  = "desired - running"
    return_data = true
  }

  metric_query {
    id = "desired"

    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "DesiredTaskCount"
      dimensions  = { ClusterName = var.cluster_name, ServiceName = each.value }
      stat        = "Average"
      period      = 60
    }
  }

  metric_query {
    id = "running"

    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      dimensions  = { ClusterName = var.cluster_name, ServiceName = each.value }
      stat        = "Average"
      period      = 60
    }
  }
}

# A target failing /readyz for 5 minutes (a task that cannot reach sessions or DynamoDB): the ALB
# routes around it, ECS replaces it only if its liveness check (/healthz) fails too.
resource "aws_cloudwatch_metric_alarm" "unhealthy_targets" {
  for_each = var.target_group_arn_suffixes

  alarm_name          = "${var.prefix}-${each.key}-unhealthy-targets"
  alarm_description   = "${each.key}: the ALB has seen unhealthy targets (/readyz failing) for 5 minutes. Check the tasks' logs for the failing dependency."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]
}

# Read/WriteThrottleEvents carry the TableName dimension alone (ThrottledRequests is per
# operation, and an alarm cannot SEARCH across operations). On-demand tables throttle when
# traffic jumps past twice its previous peak; the SDK retries, so only throttling in two
# 5-minute windows in a row alarms.
resource "aws_cloudwatch_metric_alarm" "dynamodb_throttles" {
  for_each = var.table_names

  alarm_name          = "${var.prefix}-${each.key}-dynamodb-throttled"
  alarm_description   = "DynamoDB table ${each.value} throttled requests in two 5-minute windows in a row: requests are being retried or failing."
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
  ok_actions          = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "throttled"
    label       = "throttle events"
    expression  = "FILL(reads, 0) + FILL(writes, 0)"
    return_data = true
  }

  metric_query {
    id = "reads"

    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "ReadThrottleEvents"
      dimensions  = { TableName = each.value }
      stat        = "Sum"
      period      = 300
    }
  }

  metric_query {
    id = "writes"

    metric {
      namespace   = "AWS/DynamoDB"
      metric_name = "WriteThrottleEvents"
      dimensions  = { TableName = each.value }
      stat        = "Sum"
      period      = 300
    }
  }
}
