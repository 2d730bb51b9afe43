output "log_group_names" {
  value = { for k, g in aws_cloudwatch_log_group.service : k => g.name }
}

output "alert_topic_arn" {
  value = aws_sns_topic.alerts.arn
}
