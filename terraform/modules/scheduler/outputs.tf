output "schedules" {
  description = "Job name -> cron expression (Asia/Tokyo)."
  value       = { for k, s in aws_scheduler_schedule.job : k => s.schedule_expression }
}

output "dead_letter_queue_url" {
  value = aws_sqs_queue.dead_letters.url
}
