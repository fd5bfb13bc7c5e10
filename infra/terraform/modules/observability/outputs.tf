output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies; subscribe more endpoints to it as needed."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms."
  value = concat(
    [
      aws_cloudwatch_metric_alarm.dlq_not_empty.alarm_name,
      aws_cloudwatch_metric_alarm.assembly_queue_age.alarm_name,
      aws_cloudwatch_metric_alarm.alb_5xx_rate.alarm_name,
    ],
    [for alarm in aws_cloudwatch_metric_alarm.running_tasks : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.unhealthy_targets : alarm.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.dynamodb_throttles : alarm.alarm_name],
  )
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}
