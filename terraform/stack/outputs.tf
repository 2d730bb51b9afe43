output "alb_dns_name" {
  description = "Point the public host name (the ACM certificate's) here."
  value       = module.load_balancer.dns_name
}

output "schedules" {
  value = module.scheduler.schedules
}

output "migrate_task_definition" {
  description = "Run once per deploy: aws ecs run-task --task-definition <this> ..."
  value       = module.service["migrate"].task_definition_arn
}
